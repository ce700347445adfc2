import SRCore

import SRCore
@main struct SRPrep { static func main() { print("srprep: not yet") } }

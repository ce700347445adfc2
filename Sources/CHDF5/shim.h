#ifndef SRCORE_CHDF5_SHIM_H
#define SRCORE_CHDF5_SHIM_H
#include <hdf5.h>
/* Swift cannot import HDF5's function-like macros (they expand to H5open() + a global),
   so these getters expose the ones srcore uses. */
static inline hid_t srh5_native_float(void)  { return H5T_NATIVE_FLOAT; }
static inline hid_t srh5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t srh5_native_int32(void)  { return H5T_NATIVE_INT32; }
static inline hid_t srh5_native_int64(void)  { return H5T_NATIVE_INT64; }
static inline hid_t srh5_native_uint8(void)  { return H5T_NATIVE_UINT8; }
static inline hid_t srh5_c_s1(void)          { return H5T_C_S1; }
static inline hid_t srh5_p_default(void)     { return H5P_DEFAULT; }
static inline hid_t srh5_p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t srh5_p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t srh5_s_all(void)         { return H5S_ALL; }
static inline unsigned srh5_f_acc_trunc(void)  { return H5F_ACC_TRUNC; }
static inline unsigned srh5_f_acc_excl(void)   { return H5F_ACC_EXCL; }
static inline unsigned srh5_f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned srh5_f_acc_rdwr(void)   { return H5F_ACC_RDWR; }
static inline hsize_t srh5_s_unlimited(void) { return H5S_UNLIMITED; }
/* Silence HDF5's automatic error-stack printing: srcore reports errors itself. */
static inline void srh5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
#endif

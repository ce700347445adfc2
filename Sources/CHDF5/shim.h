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

/* Closing a written file without libhdf5 touching the disk (docs/faults.md). libhdf5 1.10 cannot
   close a file whose flush once failed (H5C_set_slist_enabled: "slist already enabled?"), and a
   failed H5Fclose frees the file but keeps its id, which H5_term_library closes again at exit: a
   segfault. So before H5Fclose, srh5_redirect_to_memory points the sec2 driver's descriptor of `fid`
   at an anonymous in-memory copy of the file (memfd; data extents copied, holes kept), the close
   writes only to memory, and srh5_copy_back then writes the result to the real file with checked
   system calls. */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif

/* Copies the data extents of `from` to the same offsets of `to` and sets `to`'s size to `from`'s.
   Returns 0, or the errno of the failed call. */
static inline int srh5_copy_extents(int from, int to) {
    const off_t end = lseek(from, 0, SEEK_END);
    if (end < 0) return errno;
    char buf[1 << 16];
    for (off_t pos = 0; pos < end;) {
        const off_t data = lseek(from, pos, SEEK_DATA);
        if (data < 0) {
            if (errno == ENXIO) break;                   /* only a hole after pos */
            return errno;
        }
        off_t hole = lseek(from, data, SEEK_HOLE);
        if (hole < 0) hole = end;
        for (pos = data; pos < hole;) {
            const off_t left = hole - pos;
            const ssize_t n = pread(from, buf, left < (off_t)sizeof buf ? (size_t)left : sizeof buf, pos);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return n < 0 ? errno : EIO;
            for (ssize_t done = 0; done < n;) {
                const ssize_t w = pwrite(to, buf + done, (size_t)(n - done), pos + done);
                if (w < 0 && errno == EINTR) continue;
                if (w <= 0) return w < 0 ? errno : EIO;
                done += w;
            }
            pos += n;
        }
    }
    return ftruncate(to, end) == 0 ? 0 : errno;
}

/* The descriptor of the sec2 driver of `fid`, or -1 for another driver (the VFD handle is an int *
   for sec2 only). */
static inline int srh5_sec2_fd(hid_t fid) {
    void *handle = NULL;
    const hid_t fapl = H5Fget_access_plist(fid);
    if (fapl < 0) return -1;
    const int sec2 = H5Pget_driver(fapl) == H5FD_SEC2;
    H5Pclose(fapl);
    if (!sec2 || H5Fget_vfd_handle(fid, H5P_DEFAULT, &handle) < 0 || !handle) return -1;
    return *(const int *)handle;
}

/* Returns a memfd holding a copy of the sec2 file `fid` that the driver now writes instead, and a
   duplicate of the original descriptor in *original; -1 (nothing changed) when that fails, or when
   another id keeps the file open (closing `fid` would then not close the file, and the other id
   would go on writing to memory). */
static inline int srh5_redirect_to_memory(hid_t fid, int *original) {
    *original = -1;
    if (H5Fget_obj_count(fid, H5F_OBJ_ALL) != 1) return -1;
    const int fd = srh5_sec2_fd(fid);
    if (fd < 0) return -1;
    const int mem = (int)syscall(SYS_memfd_create, "srcore-hdf5-close", 1u /* MFD_CLOEXEC */);
    if (mem < 0) return -1;
    const int keep = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (keep < 0 || srh5_copy_extents(fd, mem) != 0 || dup2(mem, fd) < 0) {
        if (keep >= 0) close(keep);
        close(mem);
        return -1;
    }
    *original = keep;
    return mem;
}

/* Marks the sec2 driver's descriptor of `fid` close-on-exec (libhdf5 opens without O_CLOEXEC), so
   a process the host starts meanwhile does not inherit the file, nor libhdf5's flock on it. */
static inline void srh5_set_cloexec(hid_t fid) {
    const int fd = srh5_sec2_fd(fid);
    if (fd < 0) return;
    const int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/* Ends the redirection of srh5_redirect_to_memory after the close: libhdf5 unlocked the memory
   copy, not the file, so its flock is released here before the descriptor is closed (a child
   process that inherited the descriptor would otherwise keep the file locked until it exits,
   and the next H5Fopen of the file would fail). */
static inline void srh5_release_original(int original) {
    if (original < 0) return;
    flock(original, LOCK_UN);
    close(original);
}

/* Points the driver of `fid` back at the descriptor `original` (after srh5_redirect_to_memory). */
static inline int srh5_restore_descriptor(hid_t fid, int original) {
    void *handle = NULL;
    if (H5Fget_vfd_handle(fid, H5P_DEFAULT, &handle) < 0 || !handle) return -1;
    return dup2(original, *(const int *)handle) < 0 ? -1 : 0;
}

/* H5Fclose of a file redirected to memory: a soft file-size limit (ulimit -S -f) is meant for the
   disk, not for the memory copy, so it is lifted to the hard limit for the call (the write-back
   to the disk then meets it). */
static inline herr_t srh5_close_in_memory(hid_t fid) {
    struct rlimit saved;
    const int lifted = getrlimit(RLIMIT_FSIZE, &saved) == 0 && saved.rlim_cur < saved.rlim_max;
    if (lifted) {
        struct rlimit up = saved;
        up.rlim_cur = saved.rlim_max;
        setrlimit(RLIMIT_FSIZE, &up);
    }
    const herr_t rc = H5Fclose(fid);
    if (lifted) setrlimit(RLIMIT_FSIZE, &saved);
    return rc;
}
#endif

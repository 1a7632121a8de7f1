/*
 * A stand-in libcuda.so.1 for machines without a GPU (scripts/gpu-check.sh --fake and the
 * integration test): the same driver-API symbols the probe uses, doing what the sandbox cares
 * about the way the real driver does: cuInit opens /dev/nvidiactl and /dev/nvidia-uvm
 * read-write (the write-opens a strict profile must allow for exactly the granted nodes),
 * each GPU is a /dev/nvidiaN that opens read-write, and device memory is host memory.
 * It returns CUDA_ERROR_NO_DEVICE (100) when a node cannot be opened, like the real one.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
enum { CUDA_SUCCESS = 0, CUDA_ERROR_INVALID_VALUE = 1, CUDA_ERROR_NOT_INITIALIZED = 3, CUDA_ERROR_NO_DEVICE = 100 };

static int initialised, devices;

CUresult cuInit(unsigned flags) {
  (void)flags;
  int ctl = open("/dev/nvidiactl", O_RDWR | O_CLOEXEC);
  int uvm = open("/dev/nvidia-uvm", O_RDWR | O_CLOEXEC);
  if (ctl < 0 || uvm < 0) {
    fprintf(stderr, "fake-libcuda: open /dev/nvidiactl or /dev/nvidia-uvm read-write: %m\n");
    return CUDA_ERROR_NO_DEVICE;
  }
  for (devices = 0; devices < 16; devices++) {
    char path[32];
    snprintf(path, sizeof path, "/dev/nvidia%d", devices);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) break;
    close(fd);
  }
  initialised = 1;
  return devices ? CUDA_SUCCESS : CUDA_ERROR_NO_DEVICE;
}

CUresult cuDeviceGetCount(int *n) {
  if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
  *n = devices;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGet(int *dev, int ordinal) {
  if (ordinal < 0 || ordinal >= devices) return CUDA_ERROR_INVALID_VALUE;
  *dev = ordinal;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char *name, int len, int dev) {
  snprintf(name, (size_t)len, "openclaw fake GPU %d (no driver)", dev);
  return CUDA_SUCCESS;
}

CUresult cuCtxCreate_v2(void **ctx, unsigned flags, int dev) {
  (void)flags;
  *ctx = (void *)(long)(dev + 1);
  return CUDA_SUCCESS;
}

CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t n) {
  void *m = malloc(n);
  if (!m) return 2; /* CUDA_ERROR_OUT_OF_MEMORY */
  *p = (CUdeviceptr)(unsigned long)m;
  return CUDA_SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr p) {
  free((void *)(unsigned long)p);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n) {
  memcpy((void *)(unsigned long)dst, src, n);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n) {
  memcpy(dst, (void *)(unsigned long)src, n);
  return CUDA_SUCCESS;
}

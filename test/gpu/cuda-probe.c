/*
 * cuda-probe: runs inside a container. Loads the CUDA driver API (libcuda.so.1, as an
 * inference backend would), does a kernel-launch-free round trip through device memory, then
 * checks what the sandbox must still deny. Prints key=value lines for scripts/gpu-check.sh.
 *
 *   cuda_lib        where libcuda.so.1 came from (dlopen search or a fallback path)
 *   cuInit, ...     the CUresult of each call (0 = CUDA_SUCCESS)
 *   device_count, device_name, roundtrip_ok, roundtrip_us_p50/p99 (HtoD + DtoH of 1 MiB)
 *   fork, exec_second, write_open, socket_inet: "denied:<errno name>" or "ALLOWED"
 *
 * Only the driver API's stable symbols are used (the _v2 names libcuda exports); no CUDA
 * headers are needed to build it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext;
typedef unsigned long long CUdeviceptr;

static const char *errname(int e) {
  switch (e) {
  case EPERM: return "EPERM";
  case EACCES: return "EACCES";
  case EROFS: return "EROFS";
  case ENOSYS: return "ENOSYS";
  case EAFNOSUPPORT: return "EAFNOSUPPORT";
  case EAGAIN: return "EAGAIN";
  case ENOENT: return "ENOENT";
  default: return strerror(e);
  }
}

static void *sym(void *lib, const char *name) {
  void *p = dlsym(lib, name);
  if (!p) {
    printf("missing_symbol=%s\n", name);
    fflush(stdout);
    exit(3);
  }
  return p;
}

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void check_denials(const char *self) {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  if (pid > 0) {
    waitpid(pid, NULL, 0);
    printf("fork=ALLOWED\n");
  } else {
    printf("fork=denied:%s\n", errname(errno));
  }

  int fd = open("/tmp/openclaw-gpu-probe", O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd >= 0) {
    printf("write_open=ALLOWED\n");
    close(fd);
  } else {
    printf("write_open=denied:%s\n", errname(errno));
  }

  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s >= 0) {
    printf("socket_inet=ALLOWED\n");
    close(s);
  } else {
    printf("socket_inet=denied:%s\n", errname(errno));
  }

  fflush(stdout);
  char *argv[] = {(char *)self, "--exec-child", NULL};
  execv(self, argv);
  printf("exec_second=denied:%s\n", errname(errno));
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--exec-child") == 0) {
    printf("exec_second=ALLOWED\n");
    return 1;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  static const char *fallbacks[] = {"libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/lib64/libcuda.so.1", "/usr/lib/libcuda.so.1", NULL};
  void *lib = NULL;
  for (const char **p = fallbacks; *p && !lib; p++) {
    lib = dlopen(*p, RTLD_NOW | RTLD_GLOBAL);
    if (lib) printf("cuda_lib=%s\n", *p);
  }
  if (!lib) {
    printf("cuda_lib=none (%s)\n", dlerror());
    check_denials(argv[0]);
    return 2;
  }
  CUresult (*cuInit)(unsigned) = sym(lib, "cuInit");
  CUresult (*cuDeviceGetCount)(int *) = sym(lib, "cuDeviceGetCount");
  CUresult (*cuDeviceGet)(CUdevice *, int) = sym(lib, "cuDeviceGet");
  CUresult (*cuDeviceGetName)(char *, int, CUdevice) = sym(lib, "cuDeviceGetName");
  CUresult (*cuCtxCreate)(CUcontext *, unsigned, CUdevice) = sym(lib, "cuCtxCreate_v2");
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t) = sym(lib, "cuMemAlloc_v2");
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t) = sym(lib, "cuMemcpyHtoD_v2");
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t) = sym(lib, "cuMemcpyDtoH_v2");
  CUresult (*cuMemFree)(CUdeviceptr) = sym(lib, "cuMemFree_v2");

  CUresult r = cuInit(0);
  printf("cuInit=%d\n", r);
  int count = 0;
  if (r == 0) {
    printf("cuDeviceGetCount=%d\n", cuDeviceGetCount(&count));
    printf("device_count=%d\n", count);
  }
  if (r == 0 && count > 0) {
    CUdevice dev;
    CUcontext ctx;
    char name[256] = "";
    printf("cuDeviceGet=%d\n", cuDeviceGet(&dev, 0));
    printf("cuDeviceGetName=%d\n", cuDeviceGetName(name, sizeof name, dev));
    printf("device_name=%s\n", name);
    printf("cuCtxCreate=%d\n", cuCtxCreate(&ctx, 0, dev));
    enum { SIZE = 1 << 20, ROUNDS = 200 };
    unsigned char *in = malloc(SIZE), *out = malloc(SIZE);
    for (int i = 0; i < SIZE; i++) in[i] = (unsigned char)(i * 31 + 7);
    CUdeviceptr d = 0;
    CUresult ra = cuMemAlloc(&d, SIZE);
    printf("cuMemAlloc=%d\n", ra);
    if (ra == 0) {
      double us[ROUNDS];
      int ok = 1;
      for (int i = 0; i < ROUNDS; i++) {
        memset(out, 0, SIZE);
        double t0 = now_us();
        CUresult a = cuMemcpyHtoD(d, in, SIZE), b = cuMemcpyDtoH(out, d, SIZE);
        us[i] = now_us() - t0;
        if (a != 0 || b != 0 || memcmp(in, out, SIZE) != 0) ok = 0;
      }
      qsort(us, ROUNDS, sizeof us[0], cmp);
      printf("roundtrip_ok=%d\n", ok);
      printf("roundtrip_us_p50=%.1f\n", us[ROUNDS / 2]);
      printf("roundtrip_us_p99=%.1f\n", us[ROUNDS * 99 / 100]);
      cuMemFree(d);
    }
  }
  check_denials(argv[0]);
  return 0;
}

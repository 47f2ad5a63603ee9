/*
 * podnet-enter: runs a program inside a pod, as `nsenter --uts=FILE -- ip netns exec NETNS PROG`
 * did, in one exec instead of three (on a small machine each exec of nsenter or ip is a few ms
 * of CPU, times every container start and every exec probe).
 *
 *   podnet-enter --uts=FILE --net=NETNS -- PROG [ARGS...]
 *
 * What it does is what iproute2's `ip netns exec` does (ip/ipnetns.c: netns_switch), plus the
 * UTS namespace: join the UTS namespace bind-mounted at FILE and the network namespace
 * /run/netns/NETNS; in a new mount namespace (mounts kept private: slave, recursive) remount /sys
 * so that it describes this network namespace, and bind-mount every file of /etc/netns/NETNS
 * over the same name in /etc (the pod's resolv.conf and hosts); then exec PROG, keeping the pid.
 * Errors: one line on stderr, exit 125 (before PROG), or 126/127 when PROG cannot be run.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static int fail(const char *what, const char *arg) {
  fprintf(stderr, "podnet-enter: %s %s: %s\n", what, arg, strerror(errno));
  return 125;
}

static int join(const char *path, int nstype, const char *what) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(what, path);
  if (setns(fd, nstype) < 0) {
    int rc = fail(what, path);
    close(fd);
    return rc;
  }
  close(fd);
  return 0;
}

/* ip netns exec's /etc/netns/NAME/* over /etc/*; a missing target is a warning, as in iproute2. */
static int bind_etc(const char *netns) {
  char dir[4096];
  snprintf(dir, sizeof dir, "/etc/netns/%s", netns);
  DIR *d = opendir(dir);
  if (!d) return 0; /* nothing to bind: fine */
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char src[8192], dst[4096];
    snprintf(src, sizeof src, "%s/%s", dir, e->d_name);
    snprintf(dst, sizeof dst, "/etc/%s", e->d_name);
    if (mount(src, dst, "none", MS_BIND, NULL) < 0)
      fprintf(stderr, "podnet-enter: bind %s -> %s failed: %s\n", src, dst, strerror(errno));
  }
  closedir(d);
  return 0;
}

int main(int argc, char **argv) {
  const char *uts = NULL, *net = NULL;
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
    if (strncmp(argv[i], "--uts=", 6) == 0) uts = argv[i] + 6;
    else if (strncmp(argv[i], "--net=", 6) == 0) net = argv[i] + 6;
    else {
      fprintf(stderr, "podnet-enter: unknown argument %s (usage: podnet-enter --uts=FILE --net=NETNS -- PROG [ARGS...])\n", argv[i]);
      return 125;
    }
  }
  if (!net || !*net || strchr(net, '/') || i >= argc) {
    fprintf(stderr, "podnet-enter: usage: podnet-enter [--uts=FILE] --net=NETNS -- PROG [ARGS...]\n");
    return 125;
  }
  int rc;
  if (uts && (rc = join(uts, CLONE_NEWUTS, "join UTS namespace"))) return rc;
  char path[4096];
  snprintf(path, sizeof path, "/run/netns/%s", net);
  if ((rc = join(path, CLONE_NEWNET, "join network namespace"))) return rc;
  if (unshare(CLONE_NEWNS) < 0) return fail("unshare", "mount namespace");
  /* Our mounts must not leak to the host: slave, recursively, as iproute2 does. */
  if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0) return fail("mount --make-rslave", "/");
  unsigned long flags = 0;
  struct statvfs fs;
  if (statvfs("/sys", &fs) == 0 && (fs.f_flag & ST_RDONLY)) flags = MS_RDONLY;
  umount2("/sys", MNT_DETACH); /* may not be mounted: fine */
  if (mount(net, "/sys", "sysfs", flags, NULL) < 0) return fail("mount sysfs on", "/sys");
  bind_etc(net);
  execvp(argv[i], argv + i);
  int err = errno;
  fprintf(stderr, "podnet-enter: exec %s: %s\n", argv[i], strerror(err));
  return err == ENOENT ? 127 : 126;
}

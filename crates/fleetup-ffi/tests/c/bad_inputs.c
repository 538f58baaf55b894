/*
 * The bad-input catalogue (tests/bad_inputs/catalogue.json) through the C ABI, from C.
 * Built by `just test-c` with -std=c11 -Wall -Wextra -Werror -pedantic; the catalogue arrives as
 * the fixture written by bad_inputs_fixture.py (C has no JSON parser).
 *
 * Usage: bad_inputs FIXTURE            every case in its own child process, with bounds
 *        bad_inputs --in-process FIXTURE  every case in this process, no bounds (for valgrind)
 *
 * Each case goes through fleetup_call() and must come back as an error envelope with the case's
 * code; zero-length requests are sent both as (NULL, 0) and as a non-NULL empty buffer, and
 * plan.* requests also go through fleetup_plan(), which must return an error with the code's
 * number.
 *
 * Bounds: a forked child runs one case, so its peak resident set (ru_maxrss from wait4) is that
 * case's memory, request buffer included; it must stay under 256 MiB. The calls themselves are
 * timed with CLOCK_MONOTONIC and must finish in under 1 s. The child also gets alarm(10), so a hang
 * becomes a SIGALRM death, and a 1 GiB address-space limit, so a runaway allocation fails fast
 * instead of swapping a shared machine. Valgrind inflates both time and memory, which is why
 * --in-process checks the codes only.
 */
#define _DEFAULT_SOURCE /* wait4 (BSD), fork, pipe, alarm, clock_gettime (POSIX) */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fleetup.h"

#define MAX_SECONDS 1.0
#define MAX_RSS_KIB (256L * 1024L)
#define ADDRESS_SPACE_GUARD ((rlim_t)1 << 30)
#define HANG_SECONDS 10u

struct bad_case {
  char *name;
  char code[64];
  int number;
  int plan;
  unsigned char *prefix, *unit, *suffix;
  size_t prefix_len, unit_len, count, suffix_len;
};

static void *xmalloc(size_t n) {
  void *p = malloc(n == 0 ? 1 : n);
  if (p == NULL) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return p;
}

static unsigned char *read_exact(FILE *f, size_t n) {
  unsigned char *p = xmalloc(n + 1);
  if (n > 0 && fread(p, 1, n, f) != n) {
    fprintf(stderr, "fixture truncated\n");
    exit(2);
  }
  p[n] = '\0';
  return p;
}

/* Reads every record of the fixture; returns the number of cases. */
static size_t read_fixture(const char *path, struct bad_case **out) {
  FILE *f = fopen(path, "rb");
  size_t n = 0, cap = 0;
  struct bad_case *cases = NULL;
  if (f == NULL) {
    fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
    exit(2);
  }
  for (;;) {
    struct bad_case c;
    size_t name_len;
    int got;
    memset(&c, 0, sizeof c);
    got = fscanf(f, "%zu %63s %d %d %zu %zu %zu %zu", &name_len, c.code, &c.number, &c.plan,
                 &c.prefix_len, &c.unit_len, &c.count, &c.suffix_len);
    if (got == EOF) break;
    if (got != 8 || fgetc(f) != '\n') {
      fprintf(stderr, "bad fixture header after %zu cases\n", n);
      exit(2);
    }
    c.name = (char *)read_exact(f, name_len);
    c.prefix = read_exact(f, c.prefix_len);
    c.unit = read_exact(f, c.unit_len);
    c.suffix = read_exact(f, c.suffix_len);
    if (fgetc(f) != '\n') {
      fprintf(stderr, "bad fixture record: %s\n", c.name);
      exit(2);
    }
    if (n == cap) {
      struct bad_case *grown;
      cap = cap == 0 ? 64 : cap * 2;
      grown = realloc(cases, cap * sizeof *cases);
      if (grown == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
      }
      cases = grown;
    }
    cases[n++] = c;
  }
  fclose(f);
  *out = cases;
  return n;
}

static void free_cases(struct bad_case *cases, size_t n) {
  size_t i;
  for (i = 0; i < n; ++i) {
    free(cases[i].name);
    free(cases[i].prefix);
    free(cases[i].unit);
    free(cases[i].suffix);
  }
  free(cases);
}

static unsigned char *build_request(const struct bad_case *c, size_t *len) {
  size_t i, at = 0;
  unsigned char *req;
  *len = c->prefix_len + c->unit_len * c->count + c->suffix_len;
  req = xmalloc(*len);
  memcpy(req, c->prefix, c->prefix_len);
  at = c->prefix_len;
  for (i = 0; i < c->count; ++i, at += c->unit_len) memcpy(req + at, c->unit, c->unit_len);
  memcpy(req + at, c->suffix, c->suffix_len);
  return req;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sends one request through fleetup_call(); returns 0 when the envelope carries `code`. */
static int check_call(const struct bad_case *c, const uint8_t *req, size_t len, const char *how) {
  static const char head[] = "{\"error\":{\"code\":\"";
  fleetup_bytes out = {NULL, 0};
  fleetup_error *err = fleetup_call(req, len, &out);
  size_t code_len = strlen(c->code);
  int bad;
  if (err != NULL) {
    fprintf(stderr, "FAIL %s (%s): fleetup_call failed at the boundary: %s\n", c->name, how,
            fleetup_error_message(err));
    fleetup_error_free(err);
    return 1;
  }
  /* The envelope is written as {"error":{"code":"…","message":…}}: code first, quote-free. */
  bad = out.len < sizeof head - 1 + code_len + 1 || memcmp(out.ptr, head, sizeof head - 1) != 0 ||
        memcmp(out.ptr + sizeof head - 1, c->code, code_len) != 0 ||
        out.ptr[sizeof head - 1 + code_len] != '"' || out.ptr[out.len - 1] != '}';
  if (bad) {
    fprintf(stderr, "FAIL %s (%s): expected %s, got %.*s\n", c->name, how, c->code,
            (int)(out.len > 200 ? 200 : out.len), (const char *)out.ptr);
  }
  fleetup_bytes_free(out);
  return bad;
}

/* plan.* requests through fleetup_plan(): the error comes back as a fleetup_error. */
static int check_plan(const struct bad_case *c, const uint8_t *req, size_t len) {
  fleetup_bytes out = {NULL, 0};
  fleetup_error *err = fleetup_plan(req, len, &out);
  int32_t code = fleetup_error_code(err);
  int bad = err == NULL || code != c->number || out.ptr != NULL;
  if (bad) {
    fprintf(stderr, "FAIL %s (fleetup_plan): expected %s (%d), got %d\n", c->name, c->code, c->number,
            (int)code);
  }
  fleetup_error_free(err);
  fleetup_bytes_free(out);
  return bad;
}

/* Runs every check of one case; returns the number of failures and adds the calls' time. */
static int run_case(const struct bad_case *c, double *seconds) {
  size_t len;
  unsigned char *req = build_request(c, &len);
  int failures = 0;
  double start = now_seconds();
  failures += check_call(c, req, len, "fleetup_call");
  if (len == 0) failures += check_call(c, NULL, 0, "fleetup_call with NULL");
  if (c->plan) failures += check_plan(c, req, len);
  *seconds = now_seconds() - start;
  free(req);
  return failures;
}

/* One case in a child: returns 0 when the codes and both bounds hold. */
static int run_bounded(const struct bad_case *c, double *worst_time, long *worst_rss,
                       const char **slowest, const char **largest) {
  int fds[2];
  pid_t pid;
  int status = 0, failures = 0;
  struct rusage ru;
  double seconds = -1.0;
  if (pipe(fds) != 0) {
    perror("pipe");
    exit(2);
  }
  fflush(NULL);
  pid = fork();
  if (pid < 0) {
    perror("fork");
    exit(2);
  }
  if (pid == 0) {
    struct rlimit as = {ADDRESS_SPACE_GUARD, ADDRESS_SPACE_GUARD};
    int child_failures;
    close(fds[0]);
    setrlimit(RLIMIT_AS, &as);
    alarm(HANG_SECONDS);
    child_failures = run_case(c, &seconds);
    if (write(fds[1], &seconds, sizeof seconds) != (ssize_t)sizeof seconds) _exit(3);
    _exit(child_failures == 0 ? 0 : 1);
  }
  close(fds[1]);
  if (read(fds[0], &seconds, sizeof seconds) != (ssize_t)sizeof seconds) seconds = -1.0;
  close(fds[0]);
  memset(&ru, 0, sizeof ru);
  if (wait4(pid, &status, 0, &ru) != pid) {
    perror("wait4");
    exit(2);
  }
  if (WIFSIGNALED(status)) {
    fprintf(stderr, "FAIL %s: the child died of signal %d (%s)\n", c->name, WTERMSIG(status),
            WTERMSIG(status) == SIGALRM ? "hang" : "crash or abort");
    return 1;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failures = 1;
  if (seconds < 0.0 || seconds >= MAX_SECONDS) {
    fprintf(stderr, "FAIL %s: took %.3f s (limit %.1f s)\n", c->name, seconds, MAX_SECONDS);
    failures = 1;
  }
  if (ru.ru_maxrss >= MAX_RSS_KIB) {
    fprintf(stderr, "FAIL %s: peak RSS %ld KiB (limit %ld KiB)\n", c->name, ru.ru_maxrss, MAX_RSS_KIB);
    failures = 1;
  }
  if (seconds > *worst_time) {
    *worst_time = seconds;
    *slowest = c->name;
  }
  if (ru.ru_maxrss > *worst_rss) {
    *worst_rss = ru.ru_maxrss;
    *largest = c->name;
  }
  return failures;
}

int main(int argc, char **argv) {
  int in_process = argc == 3 && strcmp(argv[1], "--in-process") == 0;
  struct bad_case *cases;
  size_t n, i;
  int failures = 0;
  double worst_time = 0.0;
  long worst_rss = 0;
  const char *slowest = "-", *largest = "-";
  if (argc != 2 && !in_process) {
    fprintf(stderr, "usage: %s [--in-process] FIXTURE\n", argv[0]);
    return 2;
  }
  n = read_fixture(argv[argc - 1], &cases);
  if (n < 60) {
    fprintf(stderr, "FAIL: the fixture has %zu cases\n", n);
    return 1;
  }
  for (i = 0; i < n; ++i) {
    if (in_process) {
      double seconds;
      failures += run_case(&cases[i], &seconds) != 0;
    } else {
      failures += run_bounded(&cases[i], &worst_time, &worst_rss, &slowest, &largest) != 0;
    }
  }
  if (in_process) {
    printf("bad inputs (C, in process): %zu cases, %d failed\n", n, failures);
  } else {
    printf("bad inputs (C): %zu cases, %d failed; slowest %.1f ms (%s); largest peak RSS %.1f MiB (%s)\n",
           n, failures, worst_time * 1e3, slowest, (double)worst_rss / 1024.0, largest);
  }
  free_cases(cases, n);
  return failures == 0 ? 0 : 1;
}

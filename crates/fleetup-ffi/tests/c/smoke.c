/*
 * C smoke test for libfleetup, linked against the static library.
 * Built by `just test-c` with -std=c11 -Wall -Wextra -Werror -pedantic.
 * Covers the essentials of tests/vectors (compare, satisfies incl. the prerelease rule and
 * options, the generic call, every error code) and the boundary rules: NULL pointers, zero
 * lengths, invalid UTF-8 and garbage JSON. Exit status 0 means every check passed.
 */
#include <stdio.h>
#include <string.h>

#include "fleetup.h"

static int checks = 0;
static int failures = 0;

#define CHECK(cond, what)                                                        \
  do {                                                                           \
    ++checks;                                                                    \
    if (!(cond)) {                                                               \
      ++failures;                                                                \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, (what));          \
    }                                                                            \
  } while (0)

static const uint8_t *u8(const char *s) { return (const uint8_t *)s; }

/* Returns the error's code (0 for success) and frees it; copies its path into `path`. */
static int32_t take_error(fleetup_error *err, char *path, size_t path_size) {
  int32_t code;
  if (path != NULL && path_size > 0) path[0] = '\0';
  if (err == NULL) return 0;
  code = fleetup_error_code(err);
  if (fleetup_error_message(err) == NULL || fleetup_error_message(err)[0] == '\0') {
    ++failures;
    fprintf(stderr, "FAIL: error %d has no message\n", (int)code);
  }
  if (path != NULL && path_size > 0 && fleetup_error_path(err) != NULL) {
    snprintf(path, path_size, "%s", fleetup_error_path(err));
  }
  fleetup_error_free(err);
  return code;
}

struct compare_case { const char *a, *b; uint32_t options; int32_t expect; int32_t error; };
struct satisfies_case { const char *version, *range; uint32_t options; bool expect; };

static void test_compare(void) {
  static const struct compare_case cases[] = {
      {"1.2.3", "1.10.0", 0, -1, 0},
      {"1.2.3-asdf", "1.2.3", 0, -1, 0},
      {"1.2.3-r2", "1.2.3-r100", 0, 1, 0},
      {"1.6.0-preview9", "1.6.0-preview10", 0, 1, 0},
      {"1.0.0-2", "1.0.0-10", 0, -1, 0},
      {"1.2.3+build", "1.2.3+otherbuild", 0, 0, 0},
      {"  v1.2.3 ", "1.2.3", 0, 0, 0},
      {"=1.2.3", "1.2.3", 0, 0, FLEETUP_ERROR_CODE_INVALID_VERSION},
      {"=1.2.3", "1.2.3", FLEETUP_OPTION_LOOSE, 0, 0},
      {"1.2.3", "1.2", 0, 0, FLEETUP_ERROR_CODE_INVALID_VERSION},
      {"1.0.0", "1.0.0", 4u, 0, FLEETUP_ERROR_CODE_INVALID_ARGUMENT},
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    const struct compare_case *c = &cases[i];
    int32_t out = 42;
    char path[64];
    int32_t code = take_error(
        fleetup_version_compare(u8(c->a), strlen(c->a), u8(c->b), strlen(c->b), c->options, &out),
        path, sizeof path);
    if (code != c->error || (c->error == 0 && out != c->expect) || (c->error != 0 && out != 42)) {
      ++failures;
      fprintf(stderr, "FAIL compare(%s, %s, %u): code %d out %d\n", c->a, c->b, (unsigned)c->options,
              (int)code, (int)out);
    }
    ++checks;
  }
}

static void test_satisfies(void) {
  static const struct satisfies_case cases[] = {
      {"9.1.0", "^8.13.0 || ^9.0.0", 0, true},
      {"8.12.9", "^8.13.0 || ^9.0.0", 0, false},
      {"9.1.0-SNAPSHOT", "^8.13.0 || ^9.0.0", 0, false},
      {"9.1.0-SNAPSHOT", "^8.13.0 || ^9.0.0", FLEETUP_OPTION_INCLUDE_PRERELEASE, true},
      {"1.2.3-alpha.7", ">1.2.3-alpha.3", 0, true},
      {"3.4.5-alpha.9", ">1.2.3-alpha.3", 0, false},
      {"1.0.0-rc1", "*", 0, false},
      {"1.0.0-rc1", "*", FLEETUP_OPTION_INCLUDE_PRERELEASE, true},
      {"1.2.3", "1.2.3 - 2.3.4", 0, true},
      {"2.3.5", "1.2.3 - 2.3.4", 0, false},
      {"not a version", "*", 0, false},
      {"1.2.3", "sadf||asdf", 0, false},
      {"1.2.3beta", ">=1.2.3-alpha", FLEETUP_OPTION_LOOSE, true},
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    const struct satisfies_case *c = &cases[i];
    bool out = !c->expect;
    int32_t code = take_error(fleetup_version_satisfies(u8(c->version), strlen(c->version),
                                                        u8(c->range), strlen(c->range), c->options,
                                                        &out),
                              NULL, 0);
    if (code != 0 || out != c->expect) {
      ++failures;
      fprintf(stderr, "FAIL satisfies(%s, %s, %u): code %d out %d\n", c->version, c->range,
              (unsigned)c->options, (int)code, (int)out);
    }
    ++checks;
  }
}

/* Runs a generic call and checks that the response text contains `needle`. */
static void expect_call(const uint8_t *req, size_t len, const char *needle) {
  fleetup_bytes out = {NULL, 0};
  char text[4096];
  int32_t code = take_error(fleetup_call(req, len, &out), NULL, 0);
  size_t n = out.len < sizeof text - 1 ? out.len : sizeof text - 1;
  CHECK(code == 0, "fleetup_call fails only on boundary errors");
  if (out.len > 0) memcpy(text, out.ptr, n);
  text[n] = '\0';
  if (strstr(text, needle) == NULL) {
    ++failures;
    fprintf(stderr, "FAIL call: response %s lacks %s\n", text, needle);
  }
  ++checks;
  fleetup_bytes_free(out);
}

static void test_call(void) {
  static const char ok[] =
      "{\"op\":\"semver.satisfies\",\"args\":{\"version\":\"9.1.0\",\"range\":\"^8.13.0 || ^9.0.0\"}}";
  static const char codes[] = "{\"op\":\"meta.error_codes\"}";
  static const uint8_t bad_utf8[] = {0x7b, 0xff, 0x7d};
  expect_call(u8(ok), strlen(ok), "{\"ok\":true}");
  expect_call(u8(codes), strlen(codes), "{\"code\":\"INTERNAL\",\"number\":100}");
  expect_call(u8("{"), 1, "\"INVALID_JSON\"");
  expect_call(u8("hello, fleet"), 12, "\"INVALID_JSON\"");
  expect_call(u8("[]"), 2, "\"INVALID_ARGUMENT\"");
  expect_call(u8("{\"op\":\"nope\"}"), 13, "\"UNKNOWN_OP\"");
  expect_call(bad_utf8, sizeof bad_utf8, "\"INVALID_UTF8\"");
  expect_call(NULL, 0, "\"INVALID_JSON\""); /* (NULL, 0) is the empty request */
}

static void test_boundary(void) {
  fleetup_bytes out = {NULL, 0};
  int32_t ord = 7;
  bool yes = true;
  char path[64];
  static const uint8_t bad[] = {'1', '.', '2', '.', 0xff};
  static const char not_plan[] = "{\"op\":\"semver.valid\"}";

  CHECK(take_error(fleetup_call(u8("{}"), 2, NULL), path, sizeof path) ==
            FLEETUP_ERROR_CODE_NULL_ARGUMENT, "NULL out");
  CHECK(strcmp(path, "/out") == 0, "NULL out path");
  CHECK(take_error(fleetup_call(NULL, 5, &out), path, sizeof path) ==
            FLEETUP_ERROR_CODE_NULL_ARGUMENT, "NULL request with a length");
  CHECK(strcmp(path, "/request") == 0, "NULL request path");
  CHECK(out.ptr == NULL && out.len == 0, "out untouched on failure");
  CHECK(take_error(fleetup_version_compare(NULL, 3, u8("1"), 1, 0, &ord), path, sizeof path) ==
            FLEETUP_ERROR_CODE_NULL_ARGUMENT, "NULL a");
  CHECK(ord == 7, "ordering untouched on failure");
  CHECK(take_error(fleetup_version_satisfies(NULL, 0, NULL, 0, 0, NULL), NULL, 0) ==
            FLEETUP_ERROR_CODE_NULL_ARGUMENT, "NULL satisfies out");
  CHECK(take_error(fleetup_version_compare(bad, sizeof bad, u8("1.0.0"), 5, 0, &ord), path,
                   sizeof path) == FLEETUP_ERROR_CODE_INVALID_UTF8, "invalid UTF-8 version");
  CHECK(strcmp(path, "/a") == 0, "invalid UTF-8 path");
  CHECK(take_error(fleetup_version_satisfies(u8("1.0.0"), 5, bad, sizeof bad, 0, &yes), NULL, 0) ==
            FLEETUP_ERROR_CODE_INVALID_UTF8, "invalid UTF-8 range");
  CHECK(yes, "satisfies out untouched on failure");
  /* Zero lengths: "" is not a version (error), and NULL with length 0 is allowed. */
  CHECK(take_error(fleetup_version_compare(NULL, 0, u8("1.0.0"), 5, 0, &ord), NULL, 0) ==
            FLEETUP_ERROR_CODE_INVALID_VERSION, "empty version");
  CHECK(take_error(fleetup_upgrade_dry_run(u8("{\"name\":"), 8, u8("{}"), 2, &out), path,
                   sizeof path) == FLEETUP_ERROR_CODE_INVALID_JSON, "garbage policy JSON");
  CHECK(strcmp(path, "/package_policy") == 0, "garbage policy JSON path");
  CHECK(take_error(fleetup_upgrade_dry_run(NULL, 0, NULL, 0, &out), NULL, 0) ==
            FLEETUP_ERROR_CODE_INVALID_JSON, "empty policy JSON");
  CHECK(take_error(fleetup_plan(u8(not_plan), strlen(not_plan), &out), NULL, 0) ==
            FLEETUP_ERROR_CODE_INVALID_ARGUMENT, "plan accepts only plan ops");
  CHECK(take_error(fleetup_plan(u8("]"), 1, &out), NULL, 0) == FLEETUP_ERROR_CODE_INVALID_JSON,
        "plan garbage JSON");
  CHECK(out.ptr == NULL, "out untouched on failure");
  /* NULL is accepted by every accessor and free function. */
  CHECK(fleetup_error_code(NULL) == 0, "code of NULL");
  CHECK(strcmp(fleetup_error_message(NULL), "") == 0, "message of NULL");
  CHECK(fleetup_error_path(NULL) == NULL, "path of NULL");
  fleetup_error_free(NULL);
  fleetup_bytes_free(out);
}

static void test_versions(void) {
  CHECK(fleetup_abi_version() == FLEETUP_ABI_VERSION, "ABI version");
  CHECK(fleetup_version() != NULL && strlen(fleetup_version()) >= 5, "library version");
  /* The stable numbers are part of the ABI. */
  CHECK(FLEETUP_ERROR_CODE_NULL_ARGUMENT == 1 && FLEETUP_ERROR_CODE_INVALID_UTF8 == 2 &&
            FLEETUP_ERROR_CODE_INVALID_JSON == 3 && FLEETUP_ERROR_CODE_UNKNOWN_OP == 4 &&
            FLEETUP_ERROR_CODE_INVALID_ARGUMENT == 5 && FLEETUP_ERROR_CODE_INVALID_VERSION == 10 &&
            FLEETUP_ERROR_CODE_INTERNAL == 100,
        "error numbers");
}

int main(void) {
  test_versions();
  test_compare();
  test_satisfies();
  test_call();
  test_boundary();
  printf("%d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? 0 : 1;
}

/*
 * Two file-system calls Node does not offer in the form the local provider
 * needs:
 *
 *   statFiles(dir, names, count) -> Promise<ArrayBuffer>
 *     lstat of `count` names ('/'-joined: a name never holds '/') relative to
 *     one open directory, run on the libuv thread pool. The buffer holds
 *     `count` records of seven doubles (errno, 0 when stated; st_mode;
 *     st_size; mtime seconds; mtime nanoseconds; uid; gid), then `count`
 *     int64 mtimes in nanoseconds. One call per batch instead of one per file,
 *     no Stats objects, and fstatat on the directory instead of resolving the
 *     full path again for every child.
 *
 *   setTimes(target, seconds, nanoseconds) -> errno
 *     Sets atime and mtime to the same instant, exactly to the nanosecond;
 *     `target` is an open file descriptor (futimens) or a path (utimensat,
 *     following symbolic links as utimes does). fs.utimes takes a double in
 *     seconds, which libuv truncates to microseconds.
 */
#define NAPI_VERSION 8
#define NODE_GYP_MODULE_NAME cloudsync_fs
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FIELDS 7

#define CHECK(call)                                   \
	do {                                              \
		if ((call) != napi_ok) {                      \
			napi_throw_error(env, NULL, #call " failed"); \
			return NULL;                              \
		}                                             \
	} while (0)

typedef struct {
	napi_async_work work;
	napi_deferred deferred;
	char *dir;
	char *names;
	size_t count;
	double *out;
	int64_t *ns;
} StatJob;

static char *copy_string(napi_env env, napi_value value) {
	size_t length = 0;
	if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return NULL;
	char *text = malloc(length + 1);
	if (text == NULL) return NULL;
	if (napi_get_value_string_utf8(env, value, text, length + 1, &length) != napi_ok) {
		free(text);
		return NULL;
	}
	return text;
}

static void stat_execute(napi_env env, void *data) {
	(void)env;
	StatJob *job = data;
	int dirfd = open(job->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int open_error = dirfd < 0 ? errno : 0;
	char *name = job->names;
	for (size_t i = 0; i < job->count; i++) {
		char *end = strchr(name, '/');
		if (end != NULL) *end = '\0';
		double *record = job->out + i * FIELDS;
		struct stat st;
		if (open_error != 0) {
			record[0] = open_error;
		} else if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			record[0] = errno;
		} else {
			record[0] = 0;
			record[1] = (double)st.st_mode;
			record[2] = (double)st.st_size;
			record[3] = (double)st.st_mtim.tv_sec;
			record[4] = (double)st.st_mtim.tv_nsec;
			record[5] = (double)st.st_uid;
			record[6] = (double)st.st_gid;
			job->ns[i] = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		}
		if (end == NULL) break;
		name = end + 1;
	}
	if (dirfd >= 0) close(dirfd);
}

static void stat_complete(napi_env env, napi_status status, void *data) {
	StatJob *job = data;
	void *bytes = NULL;
	size_t records = job->count * FIELDS * sizeof(double);
	size_t times = job->count * sizeof(int64_t);
	napi_value buffer;
	if (status == napi_ok && napi_create_arraybuffer(env, records + times, &bytes, &buffer) == napi_ok) {
		memcpy(bytes, job->out, records);
		memcpy((char *)bytes + records, job->ns, times);
		napi_resolve_deferred(env, job->deferred, buffer);
	} else {
		napi_value message, error;
		napi_create_string_utf8(env, "statFiles failed", NAPI_AUTO_LENGTH, &message);
		napi_create_error(env, NULL, message, &error);
		napi_reject_deferred(env, job->deferred, error);
	}
	napi_delete_async_work(env, job->work);
	free(job->dir);
	free(job->names);
	free(job->out);
	free(job->ns);
	free(job);
}

/* Reads the call's three arguments; false (a TypeError thrown) when fewer came. */
static bool three_args(napi_env env, napi_callback_info info, napi_value *argv, const char *usage) {
	size_t argc = 3;
	if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) {
		napi_throw_type_error(env, NULL, usage);
		return false;
	}
	return true;
}

static napi_value stat_files(napi_env env, napi_callback_info info) {
	napi_value argv[3];
	if (!three_args(env, info, argv, "statFiles(dir, names, count)")) return NULL;
	uint32_t count = 0;
	CHECK(napi_get_value_uint32(env, argv[2], &count));
	StatJob *job = calloc(1, sizeof(StatJob));
	if (job == NULL) {
		napi_throw_error(env, NULL, "out of memory");
		return NULL;
	}
	job->count = count;
	job->dir = copy_string(env, argv[0]);
	job->names = copy_string(env, argv[1]);
	job->out = calloc(count == 0 ? 1 : count * FIELDS, sizeof(double));
	job->ns = calloc(count == 0 ? 1 : count, sizeof(int64_t));
	if (job->dir == NULL || job->names == NULL || job->out == NULL || job->ns == NULL) {
		free(job->dir);
		free(job->names);
		free(job->out);
		free(job->ns);
		free(job);
		napi_throw_type_error(env, NULL, "statFiles: dir and names must be strings");
		return NULL;
	}
	napi_value promise, resource_name;
	CHECK(napi_create_promise(env, &job->deferred, &promise));
	CHECK(napi_create_string_utf8(env, "cloudsync.statFiles", NAPI_AUTO_LENGTH, &resource_name));
	CHECK(napi_create_async_work(env, NULL, resource_name, stat_execute, stat_complete, job, &job->work));
	CHECK(napi_queue_async_work(env, job->work));
	return promise;
}

static napi_value set_times(napi_env env, napi_callback_info info) {
	napi_value argv[3];
	if (!three_args(env, info, argv, "setTimes(target, seconds, nanoseconds)")) return NULL;
	int64_t seconds = 0;
	uint32_t nanoseconds = 0;
	CHECK(napi_get_value_int64(env, argv[1], &seconds));
	CHECK(napi_get_value_uint32(env, argv[2], &nanoseconds));
	if (nanoseconds > 999999999) {
		napi_throw_range_error(env, NULL, "setTimes: nanoseconds out of range");
		return NULL;
	}
	struct timespec times[2];
	times[0].tv_sec = (time_t)seconds;
	times[0].tv_nsec = (long)nanoseconds;
	times[1] = times[0];
	napi_valuetype type;
	CHECK(napi_typeof(env, argv[0], &type));
	int rc;
	if (type == napi_number) {
		int32_t fd = -1;
		CHECK(napi_get_value_int32(env, argv[0], &fd));
		rc = futimens(fd, times);
	} else {
		char *path = copy_string(env, argv[0]);
		if (path == NULL) {
			napi_throw_type_error(env, NULL, "setTimes: target must be a descriptor or a path");
			return NULL;
		}
		rc = utimensat(AT_FDCWD, path, times, 0);
		int saved = errno;
		free(path);
		errno = saved;
	}
	napi_value result;
	CHECK(napi_create_int32(env, rc == 0 ? 0 : errno, &result));
	return result;
}

static napi_value init(napi_env env, napi_value exports) {
	napi_property_descriptor properties[] = {
		{"statFiles", NULL, stat_files, NULL, NULL, NULL, napi_enumerable, NULL},
		{"setTimes", NULL, set_times, NULL, NULL, NULL, napi_enumerable, NULL},
	};
	CHECK(napi_define_properties(env, exports, 2, properties));
	return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

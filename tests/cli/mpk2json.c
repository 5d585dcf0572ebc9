/*
** mpk2json.c — prints a stream of msgpack objects as JSON, one a line, for
** the command-line tests: `classify --format msgpack` decoded this way must
** be the same bytes as `classify --format jsonl`.
**
** Strings and numbers are written by the tool's own json_writer.c, so the
** only differences it can show are real ones: a key or value that is not
** the same, or a map in another order. It also checks what the contract
** promises of msgpack output: every str is valid UTF-8, and nothing but
** whole objects is in the stream. Exit status 0, or 1 with a message.
**
** Usage: mpk2json < FILE.msgpack
*/
#include "json_writer.h"

#include <msgpack.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 when the bytes are valid UTF-8. */
static int utf8_ok(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        int valid;
        i += cli_utf8_seq((const unsigned char *)s + i, n - i, &valid);
        if (!valid)
            return 0;
    }
    return 1;
}

/* Prints one object as JSON. Returns 0, or -1 for what JSON cannot hold
** or the contract forbids (printed). */
static int print_object(const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        fputs("null", stdout);
        return 0;
    case MSGPACK_OBJECT_BOOLEAN:
        fputs(o->via.boolean ? "true" : "false", stdout);
        return 0;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        printf("%llu", (unsigned long long)o->via.u64);
        return 0;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        printf("%lld", (long long)o->via.i64);
        return 0;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        cli_json_number(stdout, o->via.f64);
        return 0;
    case MSGPACK_OBJECT_STR:
        if (!utf8_ok(o->via.str.ptr, o->via.str.size)) {
            fprintf(stderr, "mpk2json: a str that is not valid UTF-8\n");
            return -1;
        }
        cli_json_string(stdout, o->via.str.ptr, o->via.str.size);
        return 0;
    case MSGPACK_OBJECT_ARRAY:
        putchar('[');
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            if (i > 0)
                putchar(',');
            if (print_object(&o->via.array.ptr[i]) != 0)
                return -1;
        }
        putchar(']');
        return 0;
    case MSGPACK_OBJECT_MAP:
        putchar('{');
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            if (i > 0)
                putchar(',');
            if (kv->key.type != MSGPACK_OBJECT_STR) {
                fprintf(stderr, "mpk2json: a map key that is not a str\n");
                return -1;
            }
            if (print_object(&kv->key) != 0)
                return -1;
            putchar(':');
            if (print_object(&kv->val) != 0)
                return -1;
        }
        putchar('}');
        return 0;
    default:
        fprintf(stderr, "mpk2json: an object of type %d\n", (int)o->type);
        return -1;
    }
}

int main(void)
{
    msgpack_unpacker u;
    msgpack_unpacked result;
    int status = 0;

    if (!msgpack_unpacker_init(&u, 1 << 16)) {
        fprintf(stderr, "mpk2json: out of memory\n");
        return 1;
    }
    msgpack_unpacked_init(&result);
    for (;;) {
        size_t got;
        msgpack_unpack_return rc;

        if (!msgpack_unpacker_reserve_buffer(&u, 1 << 16)) {
            fprintf(stderr, "mpk2json: out of memory\n");
            status = 1;
            break;
        }
        got = fread(msgpack_unpacker_buffer(&u), 1, 1 << 16, stdin);
        msgpack_unpacker_buffer_consumed(&u, got);
        while ((rc = msgpack_unpacker_next(&u, &result))
               == MSGPACK_UNPACK_SUCCESS) {
            if (print_object(&result.data) != 0) {
                status = 1;
                break;
            }
            putchar('\n');
        }
        if (status != 0)
            break;
        if (rc == MSGPACK_UNPACK_PARSE_ERROR) {
            fprintf(stderr, "mpk2json: not msgpack\n");
            status = 1;
            break;
        }
        if (got == 0) {
            if (msgpack_unpacker_message_size(&u) != 0) {
                fprintf(stderr, "mpk2json: the stream ends inside an "
                        "object\n");
                status = 1;
            }
            break;
        }
    }
    msgpack_unpacked_destroy(&result);
    msgpack_unpacker_destroy(&u);
    if (fflush(stdout) != 0)
        status = 1;
    return status;
}

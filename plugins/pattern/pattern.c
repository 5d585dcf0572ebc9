/*
** pattern.c — the pattern plugin: codes answers into the taxonomy's areas by
** PCRE2 rules that researchers write for what word lists cannot say
** ("slippa berätta allt igen", "someone who has been there"). The rule
** format, the scoring and the limits are specified in
** plugins/pattern/README.md; the rules of a language are <lang>/patterns.txt.
**
** One source, two builds, as the lexicon plugin: with WM_PLUGIN_STATIC it is
** linked into the library and defines wm_builtin_pattern(); without, it is a
** loadable module that exports wm_plugin_entry(). It sees whatmatters_plugin.h
** and pcre2.h only; every byte PCRE2 allocates outside its JIT goes through
** the host's allocator (a PCRE2 general context made from it).
**
** The text the rules see: the answer rebuilt from its tokens' normal forms
** (NFC, case folded) with the original bytes between tokens, every run of
** blanks (and invalid UTF-8) made one space. Each piece of it (a unit)
** remembers where it came from, so a match maps back to the caller's bytes:
** a piece inside a token widens to the whole token (NFD input has other
** byte counts than its normal form), copied bytes map one to one.
**
** Speed with many rules: at load, every rule's pattern is read for literal
** strings that any match must contain (a set of alternatives at most, and
** for a pattern without a top-level '|' a second set from another item of
** its sequence); all of them go into one Aho-Corasick automaton. Per answer
** one pass over the text marks the rules whose literals occur (a string of
** each set), and only those (and the few rules without a literal) run
** PCRE2. The pass goes over the answer's pieces without writing the text
** (a word's run through the automaton is remembered per worker), which is
** built only for an answer with a rule to run; where the literals are
** bounds where PCRE2 searches. The compiled rules and the automaton
** are read-only after create() and shared by every thread; the match data,
** match context (with the limits), JIT stack and text buffers are each
** worker's own and reused from answer to answer.
*/
#define PCRE2_CODE_UNIT_WIDTH 8
#include "whatmatters_plugin.h"
#include "plugin_util.h"

#include <pcre2.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PT_MAX_AREAS     64          /* areas: the host's most */
#define PT_MAX_RULES     10000       /* rules in one file */
#define PT_MAX_PATTERN   2048        /* bytes of one pattern */
#define PT_MAX_NOTE      256         /* bytes of one note */
#define PT_MAX_FILE      (16u << 20) /* bytes of patterns.txt */
#define PT_MAX_TEXT      (1u << 20)  /* bytes of normalised text matched per
                                        answer; a longer answer is flagged */
#define PT_MAX_WEIGHT    100.0       /* largest weight */
#define PT_MAX_SPANS     4           /* evidence spans of one rule per answer */
#define PT_MIN_LITERAL   3           /* bytes of a literal worth filtering on */
#define PT_MAX_LITS      16          /* alternatives of one rule's literal */
#define PT_NAME_SIZE     64          /* "<lang>/patterns.txt" */
#define PT_LIT_SECOND    0x80000000u /* a literal of a rule's second set,
                                        beside its number (out_rules) */
#define PT_SORT_MAX      64          /* rules to run on one answer sorted
                                        as a list; beyond, every rule's
                                        mark is tested */
#define PT_MEMO_IDS      (1u << 18)  /* normal-form ids a worker remembers
                                        the automaton's run over */
#define PT_MEMO_BYTES    ((size_t)4 << 20) /* bytes of remembered forms */
#define PT_MEMO_LEN      255         /* longest form remembered */
#define PT_MEMO_OUTS     2           /* outputs of a form remembered; a
                                        form with more is walked each time */
#define PT_MEMO_MANY     0xFFFFFFFFu /* pt_memo.n_out: more than that */
#define PT_LEN_NONE      0xFFFFFFFFu /* pt_rule.max_len: no bound known */

#define PT_MATCH_LIMIT   100000u     /* defaults of the per-call limits */
#define PT_DEPTH_LIMIT   10000u
#define PT_HEAP_LIMIT    4096u       /* KiB */
#define PT_JIT_STACK_MIN (32u << 10) /* a worker's JIT stack, bytes */
#define PT_JIT_STACK_MAX (1u << 20)

/* What a rule's flags letters set. */
#define PT_RULE_PARTS    0x1u /* 'p': may match parts of words */
#define PT_RULE_EXTENDED 0x2u /* 'x': PCRE2_EXTENDED (blanks and # comments) */
#define PT_RULE_NOT_NEG  0x4u /* 'n': a match in a negated span does not count */

/* Token kinds that are words in the text (the rest are punctuation, space
** and invalid bytes, which are taken from the original text), and the marks
** of a spelling alternative (not a word of the text). */
#define PT_CONTENT (WM_TOK_WORD | WM_TOK_NUMBER | WM_TOK_SYMBOL)
#define PT_ALT     (WM_TOK_VARIANT | WM_TOK_PART)

/* What a rule's pattern is wrapped in without 'p': a match begins and ends
** at word boundaries (Unicode ones: the patterns compile with PCRE2_UCP). */
static const char pt_wrap_head[] = "(?<!\\w)(?:";
static const char pt_wrap_tail[] = ")(?!\\w)";

/* One rule of the file. */
typedef struct pt_rule {
    pcre2_code *code; /* compiled (and JIT-compiled where possible) */
    uint32_t area;    /* index into the taxonomy */
    uint32_t line;    /* line in the file, for messages */
    uint32_t flags;   /* PT_RULE_* */
    uint32_t always;  /* 1: no literal found, runs on every answer */
    uint32_t need;    /* the literal sets the text must hold for the rule
                         to run: bit 0 the first, bit 1 a second one (see
                         pt_literals2()); 0 when it always runs */
    uint32_t text;    /* offset in pool of its evidence text (the note, or
                         the pattern as written), NUL-terminated */
    uint32_t max_len; /* the most characters a match holds (pt_max_len()),
                         or PT_LEN_NONE */
    double weight;    /* what it adds to its area's sum */
} pt_rule;

/* The literal prefilter: an Aho-Corasick automaton over byte classes (the
** bytes that occur in some literal; every other byte is class 0 and leads
** back to the root), as a full transition table. */
typedef struct pt_ac {
    uint16_t cls[256];    /* byte -> class */
    uint32_t n_cols;      /* classes, 0 included */
    uint32_t n_nodes;     /* states; 0 is the root */
    uint32_t *next;       /* [n_nodes * n_cols] transitions: the target
                             state's row (state * n_cols), with PT_AC_OUT
                             set when some rule's literal ends there */
    uint32_t *link;       /* [n_nodes] nearest proper suffix state with
                             output, 0 for none */
    uint32_t *out_first;  /* [n_nodes + 1] where each state's rules start */
    uint32_t *out_rules;  /* rules whose literal ends at each state */
    uint32_t *depth;      /* [n_nodes] the length of each state's string:
                             of the literals that end there */
    uint32_t blank;       /* the row a ' ' leads to from the root: where
                             a word after a one-space gap mostly starts,
                             and the start of every run in the memo */
} pt_ac;

/* The bit of a transition that says its target state has output (its own
** or through its output links), so that the prefilter's pass tests one bit
** a byte and looks at the links only where a literal ends. */
#define PT_AC_OUT 0x80000000u

/* An instance: one language's rules, read-only after create(). */
typedef struct pattern {
    wm_host host;                     /* copy of the host's table: PCRE2
                                         and workers allocate through it */
    size_t n_areas;                   /* the taxonomy's areas */
    double threshold[PT_MAX_AREAS];   /* per area: T in S / (S + T) */
    pcre2_general_context *gctx;      /* PCRE2's memory: the host's */
    pt_rule *rules;                   /* in file order */
    uint32_t n_rules;                 /* how many */
    size_t cap_rules;                 /* allocated */
    char *pool;                       /* evidence texts */
    size_t pool_len;                  /* bytes used */
    size_t cap_pool;                  /* allocated */
    pt_ac ac;                         /* the literal prefilter */
    uint32_t *always;                 /* [n_always] the rules that run on
                                         every answer, in file order */
    uint32_t n_always;                /* how many */
    int prefilter;                    /* 0: every rule runs on every answer
                                         (option prefilter=off) */
    int jit;                          /* 0: never JIT-compile (jit=off) */
    uint32_t match_limit;             /* PCRE2 limits per match call */
    uint32_t depth_limit;
    uint32_t heap_limit;              /* KiB */
    char name[PT_NAME_SIZE];          /* "<lang>/patterns.txt" */
} pattern;

/* One piece of the normalised text and where it came from. */
typedef struct pt_unit {
    size_t at;       /* its first byte in the normalised text */
    size_t start;    /* SPAN of the original bytes it stands for */
    size_t end;
    uint32_t linear; /* 1: copied bytes, mapped one to one; 0: a token's
                        normal form or a blank run, mapped as a whole */
    uint32_t flags;  /* the token's WM_TOK_* flags (0 between tokens) */
} pt_unit;

/* The automaton's run over one normal form from the blank row (pt_ac.blank),
** remembered under the form's id (a worker's memo). The host may give an
** id to another form once its analyzer's cache starts afresh: a host of
** ABI 1.3 says when (wm_plugin_input.id_epoch), and while the epoch stays
** the worker (by_id) takes an id as its form and forgets every run when
** the epoch changes; an older host does not say, and the form's bytes,
** kept in memo_text, are compared. */
typedef struct pt_memo {
    uint32_t text;              /* the form's bytes in pt_worker.memo_text
                                   (not by_id: by id alone, none kept) */
    uint32_t len;               /* its length + 1; 0: nothing remembered */
    uint32_t end;               /* the row the run ends in */
    uint32_t n_out;             /* states with output the run passes
                                   (PT_MEMO_MANY: more than PT_MEMO_OUTS) */
    uint32_t out[PT_MEMO_OUTS]; /* their rows, in order */
    unsigned char at[PT_MEMO_OUTS]; /* the bytes of the form read when
                                   the run reached each */
} pt_memo;

/* Where a rule's literals occur in the current answer's normalised text,
** per literal set (valid for the sets its `got` holds): what bounds the
** place a match can begin (pt_run_rule()). */
typedef struct pt_where {
    uint32_t first[2]; /* the end of the set's first occurrence */
    uint32_t last[2];  /* the start of its last occurrence */
} pt_where;

/* One thread's scratch memory: grown when an answer needs more, never
** shrunk or cleared per answer. */
typedef struct pt_worker {
    pcre2_match_data *md;       /* room for the whole match's offsets */
    pcre2_match_context *mctx;  /* the limits and the JIT stack */
    pcre2_jit_stack *jit_stack; /* this thread's JIT stack */
    char *text;                 /* the current answer's normalised text */
    size_t cap_text;            /* allocated */
    pt_unit *units;             /* its pieces, in order */
    size_t n_units;             /* how many */
    size_t cap_units;           /* allocated */
    uint32_t *mark;             /* [n_rules] generation in which each rule's
                                   literal was last seen */
    uint32_t gen;               /* the current answer's generation */
    unsigned char *got;         /* [n_rules] the literal sets (bits as in
                                   pt_rule.need) seen in generation mark */
    uint32_t *hits;             /* [n_rules] the rules to run on the
                                   current answer (marked in this
                                   generation), as they were found */
    uint32_t n_hits;            /* how many */
    pt_where *where;            /* [n_rules] where each marked rule's
                                   literals are */
    int odd;                    /* 1: the text holds a character that the
                                   rules' case-insensitive matching takes
                                   for a letter of a literal (K for k, ...):
                                   no match window (pt_run_rule()) */
    pt_memo *memo;              /* [cap_memo] runs by normal-form id */
    size_t cap_memo;            /* allocated */
    char *memo_text;            /* the remembered forms' bytes */
    size_t n_memo_text;         /* used */
    size_t cap_memo_text;       /* allocated */
    int by_id;                  /* 1: the memo is by id alone (the host's
                                   ids keep their forms until id_epoch
                                   changes, ABI 1.3); 0: by id and bytes */
    uint64_t epoch;             /* by_id: the ids' epoch the memo is of */
    double sum[PT_MAX_AREAS];   /* S per area for the current answer */
} pt_worker;

/* ------------------------------------------------------------------------
** Small helpers
** --------------------------------------------------------------------- */

/* PCRE2's allocator, the host's (memory_data is the instance's wm_host);
** PCRE2 may ask for 0 bytes, the host's realloc need not take that. */
static void *pt_pcre_malloc(PCRE2_SIZE size, void *data)
{
    const wm_host *h = data;

    return h->realloc(h->ctx, NULL, size ? size : 1);
}

/* PCRE2's free, the host's. */
static void pt_pcre_free(void *ptr, void *data)
{
    const wm_host *h = data;

    h->free(h->ctx, ptr);
}

/* White space that the normalised text makes one space: ASCII's, the
** no-break and typographic spaces, line and paragraph separators. */
static int pt_is_space(uint32_t cp)
{
    return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 ||
           cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

/* Reads a whole number of at most 9 digits for an option. */
static int pt_uint(const char *s, size_t len, uint32_t *out)
{
    uint32_t v = 0;

    if (len == 0 || len > 9)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    *out = v;
    return 1;
}

/* Appends bytes and a NUL to the pool; the offset goes to *off. */
static int pt_pool_add(pattern *pt, const void *bytes, size_t len,
                       uint32_t *off)
{
    int rc;

    if (pt->pool_len + len + 1 > UINT32_MAX)
        return WM_ENOMEM;
    rc = pu_grow(&pt->host, (void **)&pt->pool, &pt->cap_pool,
                 pt->pool_len + len + 1, 1);
    if (rc != WM_OK)
        return rc;
    memcpy(pt->pool + pt->pool_len, bytes, len);
    pt->pool[pt->pool_len + len] = '\0';
    *off = (uint32_t)pt->pool_len;
    pt->pool_len += len + 1;
    return WM_OK;
}

/* ------------------------------------------------------------------------
** Literals: what every match of a pattern must contain
**
** A small reader of PCRE2's syntax that finds, for a pattern, a set of
** strings of which any match contains at least one (one string for
** "bo kvar", two for "(mamma|pappa)"). It only has to be right in one
** direction: it may find no set (the rule then runs on every answer), but a
** set it finds must hold. So whatever it does not understand ends the
** current literal, and a construct it does not know at all ((?x), \Q,
** callouts, recursion, conditions, verbs) gives up on the whole pattern.
** Letters are folded as the text is (ASCII and Latin-1 capitals to small
** letters); any other non-ASCII character ends a literal, as its folding
** is not known here.
** --------------------------------------------------------------------- */

/* A set of alternative literals (offsets into the reader's buffer). */
typedef struct pt_lits {
    uint32_t n;                  /* how many; 0: no requirement known */
    uint32_t off[PT_MAX_LITS];   /* where each starts in pt_reader.buf */
    uint32_t len[PT_MAX_LITS];   /* its bytes */
} pt_lits;

/* The reader's state over one pattern. */
typedef struct pt_reader {
    const unsigned char *p;  /* the pattern */
    size_t len;              /* its bytes */
    size_t i;                /* where the reader is */
    int fail;                /* 1: gave up, no set for this pattern */
    unsigned char buf[2 * PT_MAX_PATTERN + 16]; /* literals found */
    size_t buf_len;          /* bytes used */
} pt_reader;

/* The weakest string of a set: the shortest one's length (0 for none), so
** that a set is as good as the most frequent piece it lets through. */
static uint32_t pt_lits_min(const pt_lits *s)
{
    uint32_t m = 0;

    for (uint32_t k = 0; k < s->n; k++)
        if (k == 0 || s->len[k] < m)
            m = s->len[k];
    return m;
}

/* Keeps in *best whichever of *best and *cand filters better: the longer
** shortest string, then fewer strings. Sets with a string shorter than
** PT_MIN_LITERAL are not worth keeping. */
static void pt_lits_pick(pt_lits *best, const pt_lits *cand)
{
    uint32_t mc = pt_lits_min(cand), mb = pt_lits_min(best);

    if (cand->n == 0 || mc < PT_MIN_LITERAL)
        return;
    if (best->n == 0 || mc > mb || (mc == mb && cand->n < best->n))
        *best = *cand;
}

/* As pt_lits_pick(), also keeping in *second (when not NULL) the best set
** of the items of the sequence other than the one *best came from. */
static void pt_lits_pick2(pt_lits *best, pt_lits *second, const pt_lits *cand)
{
    pt_lits old = *best;

    pt_lits_pick(best, cand);
    if (second == NULL)
        return;
    if (best->n != old.n || (best->n && best->off[0] != old.off[0]))
        pt_lits_pick(second, &old); /* cand won: the old best is second */
    else
        pt_lits_pick(second, cand);
}

/* Reads a quantifier at the reader's place, if one is there: writes its
** minimum and consumes it with its lazy or possessive mark. Returns 1 when
** there was one. "{" that is not a quantifier in every PCRE2 version ({,n})
** makes the reader give up. */
static int pt_read_quant(pt_reader *r, uint32_t *min)
{
    size_t i = r->i;
    const unsigned char *p = r->p;

    if (i >= r->len)
        return 0;
    if (p[i] == '*' || p[i] == '?') {
        *min = 0;
        i++;
    } else if (p[i] == '+') {
        *min = 1;
        i++;
    } else if (p[i] == '{') {
        size_t j = i + 1;
        uint32_t v = 0;

        if (j < r->len && p[j] == ',') {
            r->fail = 1;
            return 0;
        }
        if (j >= r->len || p[j] < '0' || p[j] > '9')
            return 0; /* a literal '{' */
        while (j < r->len && p[j] >= '0' && p[j] <= '9') {
            if (v < 100000)
                v = v * 10 + (uint32_t)(p[j] - '0');
            j++;
        }
        if (j < r->len && p[j] == ',') {
            j++;
            while (j < r->len && p[j] >= '0' && p[j] <= '9')
                j++;
        }
        if (j >= r->len || p[j] != '}')
            return 0; /* a literal '{' */
        *min = v;
        i = j + 1;
    } else
        return 0;
    if (i < r->len && (p[i] == '?' || p[i] == '+'))
        i++;
    r->i = i;
    return 1;
}

/* Skips "{...}" after an escape such as \p or \x, when it is there. */
static void pt_skip_braces(pt_reader *r)
{
    if (r->i < r->len && r->p[r->i] == '{') {
        while (r->i < r->len && r->p[r->i] != '}')
            r->i++;
        if (r->i < r->len)
            r->i++;
    }
}

/* Skips a character class "[...]" (the reader is just past its '['). */
static void pt_skip_class(pt_reader *r)
{
    const unsigned char *p = r->p;

    if (r->i < r->len && p[r->i] == '^')
        r->i++;
    if (r->i < r->len && p[r->i] == ']')
        r->i++; /* a ']' first is a member */
    while (r->i < r->len && p[r->i] != ']') {
        if (p[r->i] == '\\') {
            unsigned char e = r->i + 1 < r->len ? p[r->i + 1] : 0;

            if (e == 'Q') {
                r->fail = 1;
                return;
            }
            r->i += 2;
            if (e == 'p' || e == 'P' || e == 'x' || e == 'o' || e == 'N')
                pt_skip_braces(r);
        } else if (p[r->i] == '[' && r->i + 1 < r->len &&
                   (p[r->i + 1] == ':' || p[r->i + 1] == '.' ||
                    p[r->i + 1] == '=')) {
            unsigned char kind = p[r->i + 1];

            r->i += 2;
            while (r->i + 1 < r->len &&
                   !(p[r->i] == kind && p[r->i + 1] == ']'))
                r->i++;
            r->i += 2;
        } else
            r->i++;
    }
    if (r->i < r->len)
        r->i++;
}

/* What a group's opening says the group is (pt_group_open()). */
typedef enum pt_group {
    PT_GROUP_NONE,      /* not understood: the reader has given up */
    PT_GROUP_PLAIN,     /* (...), (?:...), atomic (?>...), branch reset
                           (?|...) */
    PT_GROUP_NAMED,     /* (?<name>...), (?'name'...), (?P<name>...) */
    PT_GROUP_NAMED_ODD, /* the same with a name not only of ASCII letters,
                           digits and '_', or without its close: the
                           literal reader reads on, the length reader
                           gives up */
    PT_GROUP_OPTS,      /* an option setting alone, (?i): nothing to read */
    PT_GROUP_OPTS_IN,   /* options for the group's content, (?i:...) */
    PT_GROUP_LOOK,      /* a look-around, (?=, (?!, (?<=, (?<! */
    PT_GROUP_COMMENT    /* (?#...), skipped with its ')' */
} pt_group;

/*
** Reads a group's opening after '(' and says what the group is; the
** reader is then at its content (after the ')' for PT_GROUP_OPTS and
** PT_GROUP_COMMENT). Both readers of patterns take groups from here, so
** what is understood is decided once; each then decides what a kind means
** to it. Option letters are only those that do not change how the pattern
** reads or what a character matches as to its count. Anything else
** ((?x), recursion, conditions, callouts, (?P=name), (*VERB)) makes the
** reader give up: PT_GROUP_NONE with r->fail set.
*/
static pt_group pt_group_open(pt_reader *r)
{
    const unsigned char *p = r->p;

    if (r->i < r->len && p[r->i] == '*') {
        r->fail = 1; /* (*VERB) */
        return PT_GROUP_NONE;
    }
    if (r->i >= r->len || p[r->i] != '?')
        return PT_GROUP_PLAIN;
    r->i++;
    if (r->i >= r->len) {
        r->fail = 1;
        return PT_GROUP_NONE;
    }
    switch (p[r->i]) {
    case ':': case '>': case '|':
        r->i++;
        return PT_GROUP_PLAIN;
    case '=': case '!':
        r->i++;
        return PT_GROUP_LOOK;
    case '#':
        while (r->i < r->len && p[r->i] != ')')
            r->i++;
        if (r->i < r->len)
            r->i++;
        return PT_GROUP_COMMENT;
    case '<':
        if (r->i + 1 < r->len && (p[r->i + 1] == '=' || p[r->i + 1] == '!')) {
            r->i += 2;
            return PT_GROUP_LOOK;
        }
        /* a name: (?<name>...) */
        /* fall through */
    case '\'':
    case 'P':
        if (p[r->i] == 'P') {
            if (r->i + 1 >= r->len || p[r->i + 1] != '<') {
                r->fail = 1; /* (?P=name), (?P>name) */
                return PT_GROUP_NONE;
            }
            r->i++;
        }
        {
            unsigned char close = p[r->i] == '\'' ? '\'' : '>';
            int plain = 1;

            r->i++;
            while (r->i < r->len && p[r->i] != close) {
                if (!(p[r->i] == '_' || (p[r->i] >= '0' && p[r->i] <= '9') ||
                      ((p[r->i] | 0x20) >= 'a' && (p[r->i] | 0x20) <= 'z')))
                    plain = 0;
                r->i++;
            }
            if (r->i >= r->len)
                return PT_GROUP_NAMED_ODD;
            r->i++;
            return plain ? PT_GROUP_NAMED : PT_GROUP_NAMED_ODD;
        }
    default:
        while (r->i < r->len && p[r->i] && strchr("imsnUJ-^", p[r->i]))
            r->i++;
        if (r->i < r->len && p[r->i] == ':') {
            r->i++;
            return PT_GROUP_OPTS_IN;
        }
        if (r->i < r->len && p[r->i] == ')') {
            r->i++;
            return PT_GROUP_OPTS;
        }
        r->fail = 1; /* (?x), recursion, conditions, callouts, ... */
        return PT_GROUP_NONE;
    }
}

/*
** Reads one literal character at the reader's place, folded as the text
** is, into out[0..*out_len). Returns 1 for a literal character, 0 for an
** atom that matches something else (a class, '.', an escape such as \d, a
** character whose folding is not known), -1 for a zero-width assertion
** (^, $, \b, ...). Escapes and classes are consumed here.
*/
static int pt_read_char(pt_reader *r, unsigned char *out, size_t *out_len)
{
    const unsigned char *p = r->p;
    unsigned char c = p[r->i];
    uint32_t cp;
    size_t n;

    if (c == '.') {
        r->i++;
        return 0;
    }
    if (c == '[') {
        r->i++;
        pt_skip_class(r);
        return 0;
    }
    if (c == '^' || c == '$') {
        r->i++;
        return -1;
    }
    if (c == '\\') {
        unsigned char e = r->i + 1 < r->len ? p[r->i + 1] : 0;

        r->i += 2;
        if (e == 0)
            return 0;
        if (!((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') ||
              (e >= '0' && e <= '9')) && e < 0x80) {
            out[0] = e; /* an escaped punctuation or blank: itself */
            *out_len = 1;
            return 1;
        }
        switch (e) {
        case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G':
        case 'K':
            return -1;
        case 'Q':
            r->fail = 1;
            return 0;
        case 'E':
            return -1; /* a stray \E is nothing */
        case 'p': case 'P': case 'x': case 'o': case 'N':
            if (r->i < r->len && p[r->i] == '{')
                pt_skip_braces(r);
            else if ((e == 'p' || e == 'P') && r->i < r->len)
                r->i++; /* \pL: one letter */
            else if (e == 'x')
                for (int k = 0; k < 2 && r->i < r->len &&
                                strchr("0123456789abcdefABCDEF", p[r->i]) &&
                                p[r->i]; k++)
                    r->i++; /* \xhh: up to two hex digits */
            return 0;
        case 'g': case 'k':
            if (r->i < r->len && (p[r->i] == '<' || p[r->i] == '\'')) {
                unsigned char close = p[r->i] == '<' ? '>' : '\'';

                r->i++;
                while (r->i < r->len && p[r->i] != close)
                    r->i++;
                if (r->i < r->len)
                    r->i++;
            } else if (r->i < r->len && p[r->i] == '{')
                pt_skip_braces(r);
            else
                while (r->i < r->len &&
                       ((p[r->i] >= '0' && p[r->i] <= '9') || p[r->i] == '-' ||
                        p[r->i] == '+'))
                    r->i++;
            return 0;
        case 'c':
            if (r->i < r->len)
                r->i++;
            return 0;
        default:
            while (e >= '0' && e <= '9' && r->i < r->len && p[r->i] >= '0' &&
                   p[r->i] <= '9')
                r->i++; /* a back reference or an octal escape */
            return 0;
        }
    }
    if (c < 0x80) {
        r->i++;
        out[0] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
        *out_len = 1;
        return 1;
    }
    n = pu_utf8(p + r->i, r->len - r->i, &cp);
    if (n == 0) {
        r->fail = 1;
        return 0;
    }
    r->i += n;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
        cp += 0x20; /* Latin-1 capital: its small letter */
    if (cp < 0xDF || cp > 0xFF)
        return 0; /* folding not known here */
    out[0] = (unsigned char)(0xC0 | (cp >> 6));
    out[1] = (unsigned char)(0x80 | (cp & 0x3F));
    *out_len = 2;
    return 1;
}

static void pt_read_alt(pt_reader *r, pt_lits *set);

/* Ends the literal being collected at buf[run..buf_len): offers it to
** *best, then starts afresh. */
static void pt_end_run(pt_reader *r, size_t *run, pt_lits *best,
                       pt_lits *second)
{
    pt_lits one;

    if (r->buf_len > *run) {
        one.n = 1;
        one.off[0] = (uint32_t)*run;
        one.len[0] = (uint32_t)(r->buf_len - *run);
        pt_lits_pick2(best, second, &one);
    }
    *run = r->buf_len;
}

/*
** Reads a sequence of items up to '|', ')' or the end, and writes to *best
** the best set any match of the sequence must contain: a run of literal
** characters, or a group's set, whichever filters best. With second not
** NULL, also the best set of the other items: a match of the sequence
** contains a string of each.
*/
static void pt_read_seq(pt_reader *r, pt_lits *best, pt_lits *second)
{
    size_t run = r->buf_len;

    best->n = 0;
    if (second != NULL)
        second->n = 0;
    while (!r->fail && r->i < r->len && r->p[r->i] != '|' &&
           r->p[r->i] != ')') {
        unsigned char ch[4];
        size_t ch_len = 0;
        uint32_t min = 1;
        int kind;

        if (r->p[r->i] == '(') {
            pt_lits sub;
            pt_group g;

            pt_end_run(r, &run, best, second);
            r->i++;
            g = pt_group_open(r);
            if (g == PT_GROUP_NONE)
                return;
            if (g == PT_GROUP_OPTS || g == PT_GROUP_COMMENT)
                continue; /* nothing to read */
            pt_read_alt(r, &sub);
            if (r->fail)
                return;
            if (r->i < r->len && r->p[r->i] == ')')
                r->i++;
            run = r->buf_len;
            if (pt_read_quant(r, &min) && min == 0)
                continue;
            if (g != PT_GROUP_LOOK) /* a look-around's is not in the match */
                pt_lits_pick2(best, second, &sub);
            continue;
        }
        kind = pt_read_char(r, ch, &ch_len);
        if (r->fail)
            return;
        if (kind != 1) {
            pt_end_run(r, &run, best, second);
            pt_read_quant(r, &min);
            continue;
        }
        if (pt_read_quant(r, &min)) {
            if (min == 0) {
                pt_end_run(r, &run, best, second); /* the character may be absent */
                continue;
            }
            memcpy(r->buf + r->buf_len, ch, ch_len);
            r->buf_len += ch_len;
            pt_end_run(r, &run, best, second); /* repeated: the run ends with it */
            continue;
        }
        memcpy(r->buf + r->buf_len, ch, ch_len);
        r->buf_len += ch_len;
    }
    pt_end_run(r, &run, best, second);
}

/*
** Reads alternatives up to ')' or the end: any match contains one of the
** union of the alternatives' sets, provided every alternative has one and
** the union is small enough.
*/
static void pt_read_alt(pt_reader *r, pt_lits *set)
{
    int none = 0;

    set->n = 0;
    for (;;) {
        pt_lits branch;

        pt_read_seq(r, &branch, NULL);
        if (r->fail)
            return;
        if (branch.n == 0)
            none = 1;
        for (uint32_t k = 0; !none && k < branch.n; k++) {
            uint32_t j;

            for (j = 0; j < set->n; j++)
                if (set->len[j] == branch.len[k] &&
                    memcmp(r->buf + set->off[j], r->buf + branch.off[k],
                           branch.len[k]) == 0)
                    break;
            if (j < set->n)
                continue;
            if (set->n == PT_MAX_LITS) {
                none = 1;
                break;
            }
            set->off[set->n] = branch.off[k];
            set->len[set->n] = branch.len[k];
            set->n++;
        }
        if (r->i < r->len && r->p[r->i] == '|') {
            r->i++;
            continue;
        }
        break;
    }
    if (none)
        set->n = 0;
}

/* Finds the set of literals for one pattern; set->n is 0 when there is
** none (the rule then runs on every answer). */
static void pt_literals(pt_reader *r, const unsigned char *pat, size_t len,
                        pt_lits *set)
{
    r->p = pat;
    r->len = len;
    r->i = 0;
    r->fail = 0;
    r->buf_len = 0;
    pt_read_alt(r, set);
    if (r->fail || r->i != r->len)
        set->n = 0;
}

/*
** A second set for a pattern without '|' at its top: the best set of the
** items of its sequence other than the one pt_literals() found, so that a
** rule runs only when the text holds a string of each ("(?:blev|bli|blir)
** (?:trodd|sedd|...)" then needs "bli" and one of the participles, not
** just one of them). set->n is 0 when there is none. It overwrites the
** reader's buffer: the first set must have been copied out before.
*/
static void pt_literals2(pt_reader *r, const unsigned char *pat, size_t len,
                         pt_lits *set)
{
    pt_lits best;

    r->p = pat;
    r->len = len;
    r->i = 0;
    r->fail = 0;
    r->buf_len = 0;
    pt_read_seq(r, &best, set);
    if (r->fail || r->i != r->len || best.n == 0)
        set->n = 0;
}

/* ------------------------------------------------------------------------
** The most characters a match can hold
**
** With the literals' places in the text (pt_where), a bound on a match's
** length lets PCRE2 start its search where a match could first begin
** instead of at the text's start (pt_run_rule()). Every item of the
** patterns understood here matches one character or none (the patterns
** are compiled with PCRE2_UTF and without \C; case-insensitive matching
** is character for character), \R two; a quantifier multiplies by its
** maximum. As the literal reader, it only has to be right in one
** direction: anything it does not know (back references, recursion,
** \X, \K, \G, \Q, verbs, conditions, (?x), an unbounded repeat, a '{' that
** is not plainly a quantifier) gives no bound, and the rule is then
** searched from the text's start.
** --------------------------------------------------------------------- */

#define PT_LEN_MAX 100000u /* a longer bound is no bound */

static uint32_t pt_len_alt(pt_reader *r);

/* Multiplies a bound, or gives up past PT_LEN_MAX. */
static uint32_t pt_len_mul(pt_reader *r, uint32_t a, uint32_t b)
{
    if (b && a > PT_LEN_MAX / b) {
        r->fail = 1;
        return 0;
    }
    return a * b;
}

/* Reads a quantifier at the reader's place, if one is there, and returns
** the item's bound `len` multiplied by its maximum (len itself without
** one). Only the plain forms ?, *, +, {n}, {n,}, {n,m} with their lazy or
** possessive marks are taken; a repeat without maximum, another form of
** '{' or a second quantifier gives up. */
static uint32_t pt_len_quant(pt_reader *r, uint32_t len)
{
    const unsigned char *p = r->p;
    size_t i = r->i;
    uint32_t max = 1;

    if (i >= r->len)
        return len;
    if (p[i] == '?')
        i++;
    else if (p[i] == '*' || p[i] == '+') {
        r->fail = 1;
        return 0;
    } else if (p[i] == '{') {
        uint32_t n = 0;
        size_t j = i + 1, d = j;

        while (j < r->len && p[j] >= '0' && p[j] <= '9' && n <= PT_LEN_MAX)
            n = n * 10 + (uint32_t)(p[j++] - '0');
        if (j == d || n > PT_LEN_MAX || j >= r->len) {
            r->fail = 1; /* "{,n}", "{x", a huge count: not taken */
            return 0;
        }
        if (p[j] == ',') {
            size_t e = ++j;

            n = 0;
            while (j < r->len && p[j] >= '0' && p[j] <= '9' &&
                   n <= PT_LEN_MAX)
                n = n * 10 + (uint32_t)(p[j++] - '0');
            if (j == e || n > PT_LEN_MAX) {
                r->fail = 1; /* {n,}: no maximum */
                return 0;
            }
        }
        if (j >= r->len || p[j] != '}') {
            r->fail = 1;
            return 0;
        }
        max = n;
        i = j + 1;
    } else
        return len;
    if (i < r->len && (p[i] == '?' || p[i] == '+'))
        i++;
    if (i < r->len && (p[i] == '?' || p[i] == '*' || p[i] == '+' ||
                       p[i] == '{')) {
        r->fail = 1;
        return 0;
    }
    r->i = i;
    return pt_len_mul(r, len, max);
}

/* The bound of an escape (the reader just past its '\'): 1 for a
** character or a class of characters, 0 for an assertion, 2 for \R. */
static uint32_t pt_len_escape(pt_reader *r)
{
    const unsigned char *p = r->p;
    unsigned char e;

    if (r->i >= r->len) {
        r->fail = 1;
        return 0;
    }
    e = p[r->i++];
    if (e < 0x80 && !((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') ||
                      (e >= '0' && e <= '9')))
        return 1; /* an escaped punctuation or blank: itself */
    switch (e) {
    case 'b': case 'B': case 'A': case 'z': case 'Z': case 'E':
        return 0;
    case 'd': case 'D': case 'w': case 'W': case 's': case 'S': case 'h':
    case 'H': case 'v': case 'V': case 'a': case 'e': case 'f': case 'n':
    case 'r': case 't':
        return 1;
    case 'R':
        return 2;
    case 'N': case 'o':
        pt_skip_braces(r);
        return 1;
    case 'p': case 'P':
        if (r->i < r->len && p[r->i] == '{')
            pt_skip_braces(r);
        else if (r->i < r->len)
            r->i++;
        return 1;
    case 'x':
        if (r->i < r->len && p[r->i] == '{')
            pt_skip_braces(r);
        else
            for (int k = 0; k < 2 && r->i < r->len &&
                            strchr("0123456789abcdefABCDEF", p[r->i]) &&
                            p[r->i]; k++)
                r->i++;
        return 1;
    case 'c':
        if (r->i < r->len && p[r->i] < 0x80) {
            r->i++;
            return 1;
        }
        break;
    default:
        break; /* \G, \K, \Q, \X, back references, octal, ... */
    }
    r->fail = 1;
    return 0;
}

/* The bound of a group (the reader just past its '('), up to and with its
** ')'; a look-around or an option setting counts 0. A comment, or a name
** this reader does not know to be plain, gives no bound. */
static uint32_t pt_len_group(pt_reader *r)
{
    pt_group g = pt_group_open(r);
    uint32_t len;

    if (g == PT_GROUP_OPTS)
        return 0;
    if (g == PT_GROUP_NONE || g == PT_GROUP_NAMED_ODD ||
        g == PT_GROUP_COMMENT) {
        r->fail = 1;
        return 0;
    }
    len = pt_len_alt(r);
    if (r->fail || r->i >= r->len || r->p[r->i] != ')') {
        r->fail = 1;
        return 0;
    }
    r->i++;
    return g == PT_GROUP_LOOK ? 0 : len;
}

/* The bound of a sequence of items up to '|', ')' or the end: the sum of
** theirs. */
static uint32_t pt_len_seq(pt_reader *r)
{
    const unsigned char *p = r->p;
    uint32_t sum = 0;

    while (!r->fail && r->i < r->len && p[r->i] != '|' && p[r->i] != ')') {
        unsigned char c = p[r->i];
        uint32_t len = 1;

        if (c == '(') {
            r->i++;
            len = pt_len_group(r);
        } else if (c == '[') {
            r->i++;
            pt_skip_class(r);
        } else if (c == '\\') {
            r->i++;
            len = pt_len_escape(r);
        } else if (c == '^' || c == '$') {
            r->i++;
            len = 0;
        } else if (c == '*' || c == '+' || c == '?' || c == '{') {
            r->fail = 1; /* nothing to repeat, or a literal '{' */
            return 0;
        } else if (c < 0x80)
            r->i++;
        else {
            uint32_t cp;
            size_t n = pu_utf8(p + r->i, r->len - r->i, &cp);

            if (n == 0) {
                r->fail = 1;
                return 0;
            }
            r->i += n;
        }
        if (r->fail)
            return 0;
        len = pt_len_quant(r, len);
        if (r->fail || len > PT_LEN_MAX - sum) {
            r->fail = 1;
            return 0;
        }
        sum += len;
    }
    return sum;
}

/* The bound of alternatives up to ')' or the end: the largest of theirs. */
static uint32_t pt_len_alt(pt_reader *r)
{
    uint32_t max = 0;

    for (;;) {
        uint32_t len = pt_len_seq(r);

        if (r->fail)
            return 0;
        if (len > max)
            max = len;
        if (r->i < r->len && r->p[r->i] == '|') {
            r->i++;
            continue;
        }
        return max;
    }
}

/* The most characters a match of the pattern can hold, or PT_LEN_NONE
** when the reader cannot say. */
static uint32_t pt_max_len(pt_reader *r, const unsigned char *pat, size_t len)
{
    uint32_t n;

    r->p = pat;
    r->len = len;
    r->i = 0;
    r->fail = 0;
    n = pt_len_alt(r);
    return r->fail || r->i != r->len ? PT_LEN_NONE : n;
}

/* ------------------------------------------------------------------------
** The prefilter's automaton
** --------------------------------------------------------------------- */

/* One literal of one rule, while the automaton is built. */
typedef struct pt_entry {
    uint32_t rule;  /* index into pattern.rules */
    uint32_t off;   /* its bytes in the builder's buffer */
    uint32_t len;
} pt_entry;

/* The literals of every rule, collected while the file is read. */
typedef struct pt_builder {
    pt_entry *entries;   /* in file order */
    size_t n_entries;    /* how many */
    size_t cap_entries;  /* allocated */
    unsigned char *bytes;/* their bytes */
    size_t n_bytes;      /* used */
    size_t cap_bytes;    /* allocated */
} pt_builder;

/*
** Builds the automaton from the collected literals: the byte classes, the
** trie in the transition table, then breadth first the failure
** transitions (a missing transition becomes the failure state's) and the
** output links, and last the rules of each state.
*/
static int pt_ac_build(pattern *pt, const pt_builder *b)
{
    pt_ac *ac = &pt->ac;
    const wm_host *h = &pt->host;
    uint32_t *fail = NULL, *queue = NULL, *count = NULL, *term = NULL;
    size_t max_nodes = 1 + b->n_bytes, cols;
    uint32_t n = 1;
    int rc = WM_ENOMEM;

    if (b->n_entries == 0)
        return WM_OK;
    ac->n_cols = 1;
    for (size_t i = 0; i < b->n_bytes; i++)
        if (!ac->cls[b->bytes[i]])
            ac->cls[b->bytes[i]] = (uint16_t)ac->n_cols++;
    cols = ac->n_cols;
    if (max_nodes > UINT32_MAX / cols)
        return WM_ENOMEM;
    ac->next = h->realloc(h->ctx, NULL, max_nodes * cols * sizeof *ac->next);
    ac->depth = h->realloc(h->ctx, NULL, max_nodes * sizeof *ac->depth);
    term = h->realloc(h->ctx, NULL, b->n_entries * sizeof *term);
    if (!ac->next || !ac->depth || !term)
        goto done;
    memset(ac->next, 0, max_nodes * cols * sizeof *ac->next);
    ac->depth[0] = 0;

    for (size_t e = 0; e < b->n_entries; e++) {
        uint32_t s = 0;

        for (uint32_t k = 0; k < b->entries[e].len; k++) {
            uint32_t c = ac->cls[b->bytes[b->entries[e].off + k]];
            uint32_t *t = &ac->next[(size_t)s * cols + c];

            if (!*t) {
                ac->depth[n] = ac->depth[s] + 1;
                *t = n++;
            }
            s = *t;
        }
        term[e] = s;
    }
    ac->n_nodes = n;

    fail = h->realloc(h->ctx, NULL, n * sizeof *fail);
    queue = h->realloc(h->ctx, NULL, n * sizeof *queue);
    count = h->realloc(h->ctx, NULL, ((size_t)n + 1) * sizeof *count);
    ac->link = h->realloc(h->ctx, NULL, n * sizeof *ac->link);
    ac->out_first = h->realloc(h->ctx, NULL, ((size_t)n + 1) *
                               sizeof *ac->out_first);
    ac->out_rules = h->realloc(h->ctx, NULL, b->n_entries *
                               sizeof *ac->out_rules);
    if (!fail || !queue || !count || !ac->link || !ac->out_first ||
        !ac->out_rules)
        goto done;
    memset(count, 0, ((size_t)n + 1) * sizeof *count);
    for (size_t e = 0; e < b->n_entries; e++)
        count[term[e] + 1]++;
    for (uint32_t s = 0; s < n; s++)
        count[s + 1] += count[s];
    memcpy(ac->out_first, count, ((size_t)n + 1) * sizeof *count);
    for (size_t e = 0; e < b->n_entries; e++)
        ac->out_rules[count[term[e]]++] = b->entries[e].rule;

    /* Breadth first: when a state is taken from the queue, its row holds
    ** only its trie children, as only its own turn fills the rest. */
    {
        uint32_t head = 0, tail = 0;

        fail[0] = 0;
        ac->link[0] = 0;
        for (size_t c = 1; c < cols; c++) {
            uint32_t v = ac->next[c];

            if (v) {
                fail[v] = 0;
                ac->link[v] = 0;
                queue[tail++] = v;
            }
        }
        while (head < tail) {
            uint32_t u = queue[head++];

            for (size_t c = 1; c < cols; c++) {
                uint32_t *t = &ac->next[(size_t)u * cols + c];
                uint32_t f = ac->next[(size_t)fail[u] * cols + c];

                if (*t) {
                    uint32_t v = *t;

                    fail[v] = f;
                    ac->link[v] = ac->out_first[f + 1] > ac->out_first[f]
                                      ? f : ac->link[f];
                    queue[tail++] = v;
                } else
                    *t = f;
            }
        }
    }
    /* Last, each transition becomes its target's row and output bit (what
    ** pt_prefilter() reads): no multiplication and one test a byte. */
    if ((size_t)n * cols > PT_AC_OUT)
        goto done;
    for (uint32_t v = 0; v < n; v++) /* count is free now: each state's */
        count[v] = (uint32_t)(v * cols) | /* row and output bit */
                   (ac->out_first[v + 1] > ac->out_first[v] || ac->link[v]
                        ? PT_AC_OUT : 0);
    for (size_t i = 0; i < (size_t)n * cols; i++)
        ac->next[i] = count[ac->next[i]];
    ac->blank = ac->next[ac->cls[' ']] & ~PT_AC_OUT;
    rc = WM_OK;
done:
    h->free(h->ctx, fail);
    h->free(h->ctx, queue);
    h->free(h->ctx, count);
    h->free(h->ctx, term);
    return rc;
}

/* ------------------------------------------------------------------------
** Reading patterns.txt
** --------------------------------------------------------------------- */

/* Where a parse is: what error messages need. */
typedef struct pt_parser {
    pattern *pt;                    /* the instance being filled */
    const wm_plugin_config *config; /* language and areas */
    pcre2_compile_context *cctx;    /* compile options, the host's memory */
    pt_builder lits;                /* the literals found so far */
    pt_reader reader;               /* the literal reader's scratch */
    unsigned char pat[sizeof pt_wrap_head + PT_MAX_PATTERN +
                      sizeof pt_wrap_tail]; /* a pattern as compiled */
    char *err;                      /* the caller's message buffer */
    size_t err_size;                /* its size */
    size_t line_no;                 /* 1-based line being read */
    size_t default_line;            /* line of the default @threshold */
    size_t thr_line[PT_MAX_AREAS];  /* line of each area's @threshold */
} pt_parser;

/*
** Reports a parse error as "<lang>/patterns.txt:LINE:COLUMN: what" (column
** in bytes, 1-based) and returns rc, so that a failing step is one
** statement.
*/
static int pt_fail(pt_parser *p, int rc, size_t col, const char *fmt, ...)
{
    char what[384];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    pu_message(p->err, p->err_size, "%s:%zu:%zu: %s", p->pt->name, p->line_no,
               col, what);
    return rc;
}

/* The index of the area named line[b..e), or -1. */
static long pt_area(const pt_parser *p, const unsigned char *s, size_t len)
{
    for (size_t a = 0; a < p->config->n_areas; a++) {
        const char *name = p->config->area_ids[a];

        if (name && strlen(name) == len && memcmp(name, s, len) == 0)
            return (long)a;
    }
    return -1;
}

/*
** Parses "@threshold T" (the default for every area, before the first
** rule) or "@threshold AREA T" (one area's). A threshold set twice for the
** same place is an error, as one of them would be silently ignored.
*/
static int pt_parse_directive(pt_parser *p, const unsigned char *line,
                              size_t b, size_t e)
{
    static const char kw[] = "@threshold";
    size_t w = b, v, ve;
    long area = -1;
    double t;

    while (w < e && !pu_is_blank(line[w]))
        w++;
    if (w - b != sizeof kw - 1 || memcmp(line + b, kw, w - b) != 0)
        return pt_fail(p, WM_EPARSE, b + 1, "unknown directive '%.*s'",
                       (int)(w - b), (const char *)line + b);
    for (v = w; v < e && pu_is_blank(line[v]); v++)
        ;
    for (ve = v; ve < e && !pu_is_blank(line[ve]); ve++)
        ;
    if (ve < e) { /* two fields: AREA T */
        area = pt_area(p, line + v, ve - v);
        if (area < 0)
            return pt_fail(p, WM_EPARSE, v + 1, "unknown area '%.*s'",
                           (int)(ve - v), (const char *)line + v);
        for (v = ve; v < e && pu_is_blank(line[v]); v++)
            ;
    }
    if (!pu_number(line + v, e - v, &t) || !(t > 0) || t > PT_MAX_WEIGHT)
        return pt_fail(p, WM_EPARSE, v + 1,
                       "bad threshold '%.*s' (a number above 0 and at most "
                       "100)", (int)(e - v), (const char *)line + v);
    if (area < 0) {
        if (p->pt->n_rules > 0)
            return pt_fail(p, WM_EPARSE, b + 1,
                           "the default @threshold comes before the first "
                           "rule");
        if (p->default_line)
            return pt_fail(p, WM_EPARSE, b + 1,
                           "second default @threshold (the first is on line "
                           "%zu)", p->default_line);
        p->default_line = p->line_no;
        for (size_t a = 0; a < p->pt->n_areas; a++)
            p->pt->threshold[a] = t;
    } else {
        if (p->thr_line[area])
            return pt_fail(p, WM_EPARSE, b + 1,
                           "second @threshold for %s (the first is on line "
                           "%zu)", p->config->area_ids[area],
                           p->thr_line[area]);
        p->thr_line[area] = p->line_no;
        p->pt->threshold[area] = t;
    }
    return WM_OK;
}

/*
** Compiles one rule's pattern: wrapped to match whole words unless its
** flags say 'p', in UTF mode with Unicode properties, caseless, then JIT-
** compiled when the platform allows (when that fails the interpreter runs
** it). A compile error names the line, the column and PCRE2's offset in
** the pattern as written, and PCRE2's message.
*/
static int pt_compile(pt_parser *p, const unsigned char *pat, size_t len,
                      size_t col, uint32_t flags, pcre2_code **code)
{
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS |
                    PCRE2_NEVER_BACKSLASH_C | PCRE2_USE_OFFSET_LIMIT;
    size_t head = (flags & PT_RULE_PARTS) ? 0 : sizeof pt_wrap_head - 1;
    size_t n = 0;
    int errcode = 0;
    PCRE2_SIZE erroff = 0;

    if (flags & PT_RULE_EXTENDED)
        opts |= PCRE2_EXTENDED;
    if (head) {
        memcpy(p->pat, pt_wrap_head, head);
        n = head;
    }
    memcpy(p->pat + n, pat, len);
    n += len;
    if (head) {
        memcpy(p->pat + n, pt_wrap_tail, sizeof pt_wrap_tail - 1);
        n += sizeof pt_wrap_tail - 1;
    }
    *code = pcre2_compile(p->pat, n, opts, &errcode, &erroff, p->cctx);
    if (!*code) {
        PCRE2_UCHAR msg[256];
        size_t off = erroff > head ? erroff - head : 0;

        if (off > len)
            off = len;
        /* pcre2_compile() says "failed to allocate heap memory" with
        ** PCRE2_ERROR_HEAP_FAILED, a compile error code, not NOMEMORY. */
        if (errcode == PCRE2_ERROR_NOMEMORY || errcode == PCRE2_ERROR_HEAP_FAILED)
            return pt_fail(p, WM_ENOMEM, col, "out of memory");
        if (pcre2_get_error_message(errcode, msg, sizeof msg) < 0)
            snprintf((char *)msg, sizeof msg, "error %d", errcode);
        return pt_fail(p, WM_EPARSE, col + off,
                       "bad pattern at offset %zu: %s", off,
                       (const char *)msg);
    }
    if (p->pt->jit)
        (void)pcre2_jit_compile(*code, PCRE2_JIT_COMPLETE); /* else: the
                                                    interpreter runs it */
    return WM_OK;
}

/* Files the literals of rule r (from the reader's buffer) for the
** prefilter. */
static int pt_add_literals(pt_parser *p, uint32_t r, const pt_lits *set)
{
    pt_builder *b = &p->lits;
    const wm_host *h = &p->pt->host;
    int rc;

    for (uint32_t k = 0; k < set->n; k++) {
        rc = pu_grow(h, (void **)&b->entries, &b->cap_entries,
                     b->n_entries + 1, sizeof *b->entries);
        if (rc == WM_OK)
            rc = pu_grow(h, (void **)&b->bytes, &b->cap_bytes,
                         b->n_bytes + set->len[k], 1);
        if (rc != WM_OK)
            return rc;
        memcpy(b->bytes + b->n_bytes, p->reader.buf + set->off[k],
               set->len[k]);
        b->entries[b->n_entries].rule = r;
        b->entries[b->n_entries].off = (uint32_t)b->n_bytes;
        b->entries[b->n_entries].len = set->len[k];
        b->n_entries++;
        b->n_bytes += set->len[k];
    }
    return WM_OK;
}

/*
** Parses a rule line (b..e of the line, trimmed): AREA WEIGHT /PATTERN/FLAGS
** NOTE. The pattern ends at the first '/' that no backslash escapes.
*/
static int pt_parse_rule(pt_parser *p, const unsigned char *line, size_t b,
                         size_t e)
{
    pattern *pt = p->pt;
    size_t i = b, ab, ae, wb, we, pb, pe, fe, nb;
    uint32_t flags = 0;
    long area;
    double weight;
    pt_rule *rule;
    pt_lits set;
    int rc;

    for (ab = i; i < e && !pu_is_blank(line[i]); i++)
        ;
    ae = i;
    area = pt_area(p, line + ab, ae - ab);
    if (area < 0)
        return pt_fail(p, WM_EPARSE, ab + 1, "unknown area '%.*s'",
                       (int)(ae - ab), (const char *)line + ab);
    while (i < e && pu_is_blank(line[i]))
        i++;
    for (wb = i; i < e && !pu_is_blank(line[i]); i++)
        ;
    we = i;
    if (!pu_number(line + wb, we - wb, &weight) || !(weight > 0) ||
        weight > PT_MAX_WEIGHT)
        return pt_fail(p, WM_EPARSE, wb + 1,
                       "bad weight '%.*s' (a number above 0 and at most 100)",
                       (int)(we - wb), (const char *)line + wb);
    while (i < e && pu_is_blank(line[i]))
        i++;
    if (i >= e || line[i] != '/')
        return pt_fail(p, WM_EPARSE, i + 1,
                       "expected the pattern in slashes: /PATTERN/");
    pb = ++i;
    while (i < e && line[i] != '/')
        i += line[i] == '\\' ? 2 : 1;
    if (i >= e)
        return pt_fail(p, WM_EPARSE, pb,
                       "unterminated pattern (a '/' inside it is written "
                       "'\\/')");
    pe = i++;
    if (pe == pb)
        return pt_fail(p, WM_EPARSE, pb, "empty pattern");
    if (pe - pb > PT_MAX_PATTERN)
        return pt_fail(p, WM_EPARSE, pb + 1, "pattern over %d bytes",
                       PT_MAX_PATTERN);
    for (; i < e && !pu_is_blank(line[i]); i++) {
        switch (line[i]) {
        case 'p': flags |= PT_RULE_PARTS; break;
        case 'x': flags |= PT_RULE_EXTENDED; break;
        case 'n': flags |= PT_RULE_NOT_NEG; break;
        default:
            return pt_fail(p, WM_EPARSE, i + 1,
                           "unknown flag '%c' (p: parts of words, x: "
                           "extended, n: not when negated)", line[i]);
        }
    }
    fe = i;
    while (i < e && pu_is_blank(line[i]))
        i++;
    nb = i;
    if (e - nb > PT_MAX_NOTE)
        return pt_fail(p, WM_EPARSE, nb + 1, "note over %d bytes",
                       PT_MAX_NOTE);
    if (pt->n_rules == PT_MAX_RULES)
        return pt_fail(p, WM_EPARSE, b + 1, "more than %d rules",
                       PT_MAX_RULES);

    rc = pu_grow(&pt->host, (void **)&pt->rules, &pt->cap_rules,
                 (size_t)pt->n_rules + 1, sizeof *pt->rules);
    if (rc != WM_OK)
        return pt_fail(p, rc, b + 1, "out of memory");
    rule = &pt->rules[pt->n_rules];
    memset(rule, 0, sizeof *rule);
    rc = pt_compile(p, line + pb, pe - pb, pb + 1, flags, &rule->code);
    if (rc != WM_OK)
        return rc;
    pt->n_rules++; /* from here on destroy() frees its code */
    rule->area = (uint32_t)area;
    rule->line = (uint32_t)p->line_no;
    rule->flags = flags;
    rule->weight = weight;
    /* Evidence shows the note, or else the pattern with its flags. */
    if (nb < e)
        rc = pt_pool_add(pt, line + nb, e - nb, &rule->text);
    else
        rc = pt_pool_add(pt, line + pb - 1, fe - (pb - 1), &rule->text);
    if (rc != WM_OK)
        return pt_fail(p, rc, b + 1, "out of memory");

    set.n = 0;
    rule->max_len = PT_LEN_NONE;
    if (!(flags & PT_RULE_EXTENDED)) {
        rule->max_len = pt_max_len(&p->reader, line + pb, pe - pb);
        pt_literals(&p->reader, line + pb, pe - pb, &set);
    }
    rule->always = set.n == 0;
    if (set.n) {
        rc = pt_add_literals(p, pt->n_rules - 1, &set);
        if (rc != WM_OK)
            return pt_fail(p, rc, b + 1, "out of memory");
        rule->need = 1;
        pt_literals2(&p->reader, line + pb, pe - pb, &set);
        if (set.n) {
            rc = pt_add_literals(p, (pt->n_rules - 1) | PT_LIT_SECOND, &set);
            if (rc != WM_OK)
                return pt_fail(p, rc, b + 1, "out of memory");
            rule->need = 3;
        }
    }
    return WM_OK;
}

/*
** Parses the whole file line by line. A byte-order mark is skipped, lines
** end in LF or CRLF, invalid UTF-8 and NUL bytes are errors, a line whose
** first non-blank character is '#' is a comment (a '#' elsewhere belongs
** to the pattern or the note).
*/
static int pt_parse(pt_parser *p, const unsigned char *text, size_t len)
{
    size_t pos = 0;

    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const unsigned char *line = text + pos;
        size_t line_len = 0, b, e;
        int rc;

        while (pos + line_len < len && line[line_len] != '\n')
            line_len++;
        pos += line_len + (pos + line_len < len);
        p->line_no++;

        for (size_t k = 0; k < line_len;) {
            uint32_t cp;
            size_t n = pu_utf8(line + k, line_len - k, &cp);

            if (n == 0)
                return pt_fail(p, WM_EPARSE, k + 1, "invalid UTF-8");
            if (cp == 0)
                return pt_fail(p, WM_EPARSE, k + 1, "a NUL byte");
            k += n;
        }
        for (b = 0; b < line_len && pu_is_blank(line[b]); b++)
            ;
        for (e = line_len; e > b && pu_is_blank(line[e - 1]); e--)
            ;
        if (b == e || line[b] == '#')
            continue;
        if (line[b] == '@')
            rc = pt_parse_directive(p, line, b, e);
        else
            rc = pt_parse_rule(p, line, b, e);
        if (rc != WM_OK)
            return rc;
    }
    return WM_OK;
}

/*
** Reads the options string: comma-separated key=value pairs,
** prefilter=on|off, jit=on|off, match_limit=N, depth_limit=N,
** heap_limit=KiB (plugins/pattern/README.md).
*/
static int pt_options(pattern *pt, const char *opt, char *err,
                      size_t err_size)
{
    while (opt && *opt) {
        const char *end = strchr(opt, ','), *eq;
        size_t len = end ? (size_t)(end - opt) : strlen(opt), klen;
        const char *v;
        size_t vlen;
        uint32_t n;

        eq = memchr(opt, '=', len);
        if (!eq) {
            pu_message(err, err_size, "pattern: bad option '%.*s' "
                       "(expected key=value)", (int)len, opt);
            return WM_EINVAL;
        }
        klen = (size_t)(eq - opt);
        v = eq + 1;
        vlen = len - klen - 1;
#define PT_KEY(k) (klen == sizeof(k) - 1 && memcmp(opt, k, klen) == 0)
#define PT_VAL(s) (vlen == sizeof(s) - 1 && memcmp(v, s, vlen) == 0)
        if (PT_KEY("prefilter") && (PT_VAL("on") || PT_VAL("off")))
            pt->prefilter = PT_VAL("on");
        else if (PT_KEY("jit") && (PT_VAL("on") || PT_VAL("off")))
            pt->jit = PT_VAL("on");
        else if (PT_KEY("match_limit") && pt_uint(v, vlen, &n) && n > 0)
            pt->match_limit = n;
        else if (PT_KEY("depth_limit") && pt_uint(v, vlen, &n) && n > 0)
            pt->depth_limit = n;
        else if (PT_KEY("heap_limit") && pt_uint(v, vlen, &n) && n > 0)
            pt->heap_limit = n;
        else {
            pu_message(err, err_size, "pattern: bad option '%.*s' (known: "
                       "prefilter=on|off, jit=on|off, match_limit=N, "
                       "depth_limit=N, heap_limit=KIB)", (int)len, opt);
            return WM_EINVAL;
        }
#undef PT_KEY
#undef PT_VAL
        opt = end ? end + 1 : NULL;
    }
    return WM_OK;
}

/* ------------------------------------------------------------------------
** The plugin's functions
** --------------------------------------------------------------------- */

/*
** Frees an instance and everything it holds (also a half-made one).
*/
static void pt_destroy(void *state)
{
    pattern *pt = state;
    wm_host h;

    if (!pt)
        return;
    h = pt->host;
    for (uint32_t r = 0; r < pt->n_rules; r++)
        pcre2_code_free(pt->rules[r].code);
    pcre2_general_context_free(pt->gctx);
    h.free(h.ctx, pt->rules);
    h.free(h.ctx, pt->pool);
    h.free(h.ctx, pt->ac.next);
    h.free(h.ctx, pt->ac.link);
    h.free(h.ctx, pt->ac.out_first);
    h.free(h.ctx, pt->ac.out_rules);
    h.free(h.ctx, pt->ac.depth);
    h.free(h.ctx, pt->always);
    h.free(h.ctx, pt);
}

/*
** Makes the instance for one language: reads "<lang>/patterns.txt" through
** the host (missing, or without a rule: WM_PLUGIN_SKIP), compiles every
** rule and builds the prefilter. Everything is copied: the host's bytes
** are only borrowed during create().
*/
static int pt_create(const wm_host *host, const wm_plugin_config *config,
                     void **state, char *err, size_t err_size)
{
    pt_parser *p = NULL;
    pattern *pt;
    const unsigned char *bytes = NULL;
    size_t len = 0;
    int rc;

    if (state)
        *state = NULL;
    if (!host || !state || !config ||
        host->struct_size < offsetof(wm_host, data_file) +
                                sizeof host->data_file ||
        !host->realloc || !host->free || !host->data_file ||
        config->struct_size < offsetof(wm_plugin_config, options) +
                                  sizeof config->options ||
        !config->lang || !config->area_ids) {
        pu_message(err, err_size, "pattern: invalid arguments to create()");
        return WM_EINVAL;
    }
    if (config->n_areas == 0 || config->n_areas > PT_MAX_AREAS) {
        pu_message(err, err_size, "pattern: %zu areas (1 to %d supported)",
                   config->n_areas, PT_MAX_AREAS);
        return WM_EINVAL;
    }

    pt = host->realloc(host->ctx, NULL, sizeof *pt);
    if (!pt) {
        pu_message(err, err_size, "pattern: out of memory");
        return WM_ENOMEM;
    }
    memset(pt, 0, sizeof *pt);
    pt->host = *host;
    pt->n_areas = config->n_areas;
    pt->prefilter = 1;
    pt->jit = 1;
    pt->match_limit = PT_MATCH_LIMIT;
    pt->depth_limit = PT_DEPTH_LIMIT;
    pt->heap_limit = PT_HEAP_LIMIT;
    for (size_t a = 0; a < PT_MAX_AREAS; a++)
        pt->threshold[a] = 1.0;
    rc = pt_options(pt, config->options, err, err_size);
    if (rc != WM_OK)
        goto fail;
    if ((size_t)snprintf(pt->name, sizeof pt->name, "%s/patterns.txt",
                         config->lang) >= sizeof pt->name) {
        pu_message(err, err_size, "pattern: language code too long");
        rc = WM_EINVAL;
        goto fail;
    }
    rc = host->data_file(host->ctx, pt->name, &bytes, &len, err, err_size);
    if (rc == WM_ENOTFOUND) {
        pt_destroy(pt);
        return WM_PLUGIN_SKIP;
    }
    if (rc != WM_OK)
        goto fail;
    if (len > PT_MAX_FILE) {
        pu_message(err, err_size, "%s: over %u bytes", pt->name, PT_MAX_FILE);
        rc = WM_ETOOBIG;
        goto fail;
    }

    pt->gctx = pcre2_general_context_create(pt_pcre_malloc, pt_pcre_free,
                                            &pt->host);
    /* p is zeroed before anything can fail, as the failure path frees
    ** what it holds. */
    p = pt->gctx ? host->realloc(host->ctx, NULL, sizeof *p) : NULL;
    if (p)
        memset(p, 0, sizeof *p);
    if (!pt->gctx || !p) {
        pu_message(err, err_size, "pattern: out of memory");
        rc = WM_ENOMEM;
        goto fail;
    }
    p->pt = pt;
    p->config = config;
    p->err = err;
    p->err_size = err_size;
    p->cctx = pcre2_compile_context_create(pt->gctx);
    if (!p->cctx) {
        pu_message(err, err_size, "pattern: out of memory");
        rc = WM_ENOMEM;
        goto fail;
    }
    pcre2_set_max_pattern_length(p->cctx, sizeof p->pat);
    rc = pt_parse(p, bytes, len);
    if (rc == WM_OK && pt->prefilter) {
        rc = pt_ac_build(pt, &p->lits);
        if (rc != WM_OK)
            pu_message(err, err_size, "pattern: out of memory");
    }
    if (rc != WM_OK)
        goto fail;
    pcre2_compile_context_free(p->cctx);
    host->free(host->ctx, p->lits.entries);
    host->free(host->ctx, p->lits.bytes);
    host->free(host->ctx, p);
    if (pt->n_rules == 0) {
        pt_destroy(pt);
        return WM_PLUGIN_SKIP;
    }
    if (!pt->prefilter)
        for (uint32_t r = 0; r < pt->n_rules; r++)
            pt->rules[r].always = 1;
    pt->always = host->realloc(host->ctx, NULL,
                               (size_t)pt->n_rules * sizeof *pt->always);
    if (!pt->always) {
        pt_destroy(pt);
        pu_message(err, err_size, "pattern: out of memory");
        return WM_ENOMEM;
    }
    for (uint32_t r = 0; r < pt->n_rules; r++)
        if (pt->rules[r].always) {
            pt->rules[r].need = 0;
            pt->always[pt->n_always++] = r;
        }
    *state = pt;
    return WM_OK;

fail:
    if (p) {
        pcre2_compile_context_free(p->cctx);
        host->free(host->ctx, p->lits.entries);
        host->free(host->ctx, p->lits.bytes);
        host->free(host->ctx, p);
    }
    pt_destroy(pt);
    return rc;
}

/* Frees a worker (after its last classify()). */
static void pt_worker_free(void *state, void *worker)
{
    pattern *pt = state;
    pt_worker *w = worker;

    if (!pt || !w)
        return;
    pcre2_match_data_free(w->md);
    pcre2_match_context_free(w->mctx);
    pcre2_jit_stack_free(w->jit_stack);
    pt->host.free(pt->host.ctx, w->text);
    pt->host.free(pt->host.ctx, w->units);
    pt->host.free(pt->host.ctx, w->mark);
    pt->host.free(pt->host.ctx, w->hits);
    pt->host.free(pt->host.ctx, w->got);
    pt->host.free(pt->host.ctx, w->where);
    pt->host.free(pt->host.ctx, w->memo);
    pt->host.free(pt->host.ctx, w->memo_text);
    pt->host.free(pt->host.ctx, w);
}

/*
** Makes one thread's scratch: match data big enough for every rule, a
** match context with the instance's limits and (when any rule was JIT-
** compiled) the thread's own JIT stack, and the marks of the prefilter.
*/
static int pt_worker_new(void *state, void **worker, char *err,
                         size_t err_size)
{
    pattern *pt = state;
    pt_worker *w;
    uint32_t pairs = 1;

    if (worker)
        *worker = NULL;
    if (!pt || !worker) {
        pu_message(err, err_size, "pattern: invalid arguments to "
                   "worker_new()");
        return WM_EINVAL;
    }
    w = pt->host.realloc(pt->host.ctx, NULL, sizeof *w);
    if (!w)
        goto nomem;
    memset(w, 0, sizeof *w);
    for (uint32_t r = 0; r < pt->n_rules; r++) {
        uint32_t groups = 0;

        if (pcre2_pattern_info(pt->rules[r].code, PCRE2_INFO_CAPTURECOUNT,
                               &groups) == 0 && groups + 1 > pairs)
            pairs = groups + 1;
    }
    w->md = pcre2_match_data_create(pairs, pt->gctx);
    w->mctx = pcre2_match_context_create(pt->gctx);
    w->mark = pt->host.realloc(pt->host.ctx, NULL,
                               ((size_t)pt->n_rules + 1) * sizeof *w->mark);
    w->hits = pt->host.realloc(pt->host.ctx, NULL,
                               ((size_t)pt->n_rules + 1) * sizeof *w->hits);
    w->got = pt->host.realloc(pt->host.ctx, NULL, (size_t)pt->n_rules + 1);
    w->where = pt->host.realloc(pt->host.ctx, NULL,
                                ((size_t)pt->n_rules + 1) * sizeof *w->where);
    if (!w->md || !w->mctx || !w->mark || !w->hits || !w->got || !w->where)
        goto nomem;
    memset(w->mark, 0, ((size_t)pt->n_rules + 1) * sizeof *w->mark);
    pcre2_set_match_limit(w->mctx, pt->match_limit);
    pcre2_set_depth_limit(w->mctx, pt->depth_limit);
    pcre2_set_heap_limit(w->mctx, pt->heap_limit);
    if (pt->jit) {
        w->jit_stack = pcre2_jit_stack_create(PT_JIT_STACK_MIN,
                                              PT_JIT_STACK_MAX, pt->gctx);
        /* Without its own stack JIT code runs on PCRE2's small default
        ** one, which only lowers the limit it can reach. */
        if (w->jit_stack)
            pcre2_jit_stack_assign(w->mctx, NULL, w->jit_stack);
    }
    *worker = w;
    return WM_OK;
nomem:
    pt_worker_free(pt, w);
    pu_message(err, err_size, "pattern: out of memory");
    return WM_ENOMEM;
}

/* ------------------------------------------------------------------------
** The normalised text, and the prefilter's pass over it
**
** Most answers hold no rule's literals, so the pass that finds the rules to
** run (pt_scan) goes over the text without writing it: the automaton is fed
** the bytes pt_build_text() would write, word by word, and a word's normal
** form, met again and again in Zipfian text, costs one look in the
** worker's memo instead of a step a byte. Only an answer with a rule to
** run has its text (and the units that map it back) built.
** --------------------------------------------------------------------- */

/* Grows the worker's buffers (pt_room()). */
static int pt_grow(const pattern *pt, pt_worker *w, size_t bytes, size_t units)
{
    int rc = WM_OK;

    if (bytes > w->cap_text)
        rc = pu_grow(&pt->host, (void **)&w->text, &w->cap_text, bytes, 1);
    if (rc == WM_OK && units > w->cap_units)
        rc = pu_grow(&pt->host, (void **)&w->units, &w->cap_units, units,
                     sizeof *w->units);
    return rc;
}

/*
** Makes room in the worker's buffers for a text of `bytes` bytes (its NUL
** included) and `units` units: grown rarely, as both are kept from answer
** to answer.
*/
static inline int pt_room(const pattern *pt, pt_worker *w, size_t bytes,
                          size_t units)
{
    if (bytes <= w->cap_text && units <= w->cap_units)
        return WM_OK;
    return pt_grow(pt, w, bytes, units);
}

/* Copies a normal form of n bytes to d, in a few loads and stores for the
** short ones (nearly all under 16 bytes), within the n bytes of each. */
static inline void pt_copy(char *d, const char *s, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t a, b;

        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t a, b;

        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    } else
        memcpy(d, s, n);
}

/* Appends a unit; pt_room() has made room for it. */
static inline void pt_unit_add(pt_worker *w, size_t at, size_t start,
                               size_t end, uint32_t linear, uint32_t flags)
{
    pt_unit *u = &w->units[w->n_units++];

    u->at = at;
    u->start = start;
    u->end = end;
    u->linear = linear;
    u->flags = flags;
}

/* The one case fold of bytes that are not a token's normal form (what lies
** between tokens, and a token over the length limit), as the literal
** reader folds: ASCII and Latin-1 capitals to small letters. Writes byte i
** of the folded s[0..len) to *c; returns 1 when byte i + 1 was folded with
** it (a two-byte Latin-1 capital: the caller writes 0xC3 and *c). */
static inline int pt_fold(const unsigned char *s, size_t i, size_t len,
                          unsigned char *c)
{
    unsigned char b = s[i];

    if (b >= 'A' && b <= 'Z') {
        *c = (unsigned char)(b + 32);
        return 0;
    }
    if (b == 0xC3 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9E &&
        s[i + 1] != 0x97) {
        *c = (unsigned char)(s[i + 1] + 0x20);
        return 1;
    }
    *c = b;
    return 0;
}

/* 1 when s[0..len) holds a character that the rules' case-insensitive
** matching takes for a letter the literal reader knows, other than its
** ASCII or Latin-1 capital: K (U+212A) for k, ſ (U+017F) for s, Å (U+212B)
** for å, ẞ (U+1E9E) for ß, Ÿ (U+0178) for ÿ. A normal form never holds
** one (NFC and case folding make them those letters); bytes copied as
** written (between tokens, a token over the length limit) may. */
static int pt_odd(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] < 0xC5)
            continue;
        if (s[i] == 0xC5 && (s[i + 1] == 0xBF || s[i + 1] == 0xB8))
            return 1;
        if (i + 2 < len &&
            ((s[i] == 0xE2 && s[i + 1] == 0x84 &&
              (s[i + 2] == 0xAA || s[i + 2] == 0xAB)) ||
             (s[i] == 0xE1 && s[i + 1] == 0xBA && s[i + 2] == 0x9E)))
            return 1;
    }
    return 0;
}

/* Copies s[0..len) to d, folded (pt_fold()). */
static void pt_fold_copy(unsigned char *d, const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c;

        if (pt_fold(s, i, len, &c))
            d[i++] = 0xC3;
        d[i] = c;
    }
}

/* The run of text[i..b) that begins at i: blanks and invalid bytes
** (*blank = 1), which the text makes one space, or other characters,
** copied. Returns where it ends. */
static size_t pt_gap_run(const unsigned char *text, size_t i, size_t b,
                         int *blank)
{
    size_t j = i;
    int bl = -1;

    while (j < b) {
        uint32_t cp = text[j];
        size_t k = 1;
        int is;

        if (cp < 0x80) /* most gaps are ASCII: no decoding */
            is = cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
        else {
            k = pu_utf8(text + j, b - j, &cp);
            is = k == 0 || pt_is_space(cp);
        }
        if (bl < 0)
            bl = is;
        else if (is != bl)
            break;
        j += k ? k : 1;
    }
    *blank = bl;
    return j;
}

/*
** Appends the original bytes text[a..b) between two tokens to the
** normalised text: every run of blanks and invalid bytes as one space (a
** unit mapped as a whole), everything else copied (units mapped one to
** one). *n is the text's length so far. WM_ETOOBIG past PT_MAX_TEXT.
*/
static int pt_add_gap(const pattern *pt, pt_worker *w,
                      const unsigned char *text, size_t a, size_t b, size_t *n)
{
    size_t i = a;

    while (i < b) {
        int blank;
        size_t j = pt_gap_run(text, i, b, &blank), len = blank ? 1 : j - i;
        int rc;

        if (len > PT_MAX_TEXT - *n)
            return WM_ETOOBIG;
        rc = pt_room(pt, w, *n + len + 1, w->n_units + 1);
        if (rc != WM_OK)
            return rc;
        if (blank)
            w->text[*n] = ' ';
        else {
            pt_fold_copy((unsigned char *)w->text + *n, text + i, len);
            w->odd |= pt_odd(text + i, len);
        }
        pt_unit_add(w, *n, i, j, !blank, 0);
        *n += len;
        i = j;
    }
    return WM_OK;
}

/*
** Builds the answer's normalised text in the worker's buffer: each word's
** normal form (a token over the length limit, which has none, as written
** but folded), and between words the original bytes (pt_add_gap).
** Spelling alternatives are not words of the text and are left out.
** Returns WM_ETOOBIG when the text would be over PT_MAX_TEXT bytes.
*/
static int pt_build_text(const pattern *pt, pt_worker *w,
                         const wm_analysis *an, size_t *text_len)
{
    const unsigned char *orig = (const unsigned char *)an->text;
    size_t pos = 0, n = 0;
    int rc;

    w->n_units = 0;
    w->odd = 0;
    for (size_t t = 0; t < an->n_tokens; t++) {
        const wm_token *tok = &an->tokens[t];
        size_t len;

        if (!(tok->flags & PT_CONTENT) || (tok->flags & PT_ALT) ||
            tok->start < pos || tok->end > an->text_len)
            continue;
        len = tok->norm_len ? tok->norm_len : tok->end - tok->start;
        /* Most gaps are one space: the unit pt_add_gap() would make for
        ** it, without decoding and testing it as a code point. */
        if (tok->start == pos + 1 && orig[pos] == ' ') {
            if (n >= PT_MAX_TEXT || len > PT_MAX_TEXT - n - 1)
                return WM_ETOOBIG;
            rc = pt_room(pt, w, n + 1 + len + 1, w->n_units + 2);
            if (rc != WM_OK)
                return rc;
            w->text[n] = ' ';
            pt_unit_add(w, n, pos, pos + 1, 0, 0);
            n++;
        } else if (tok->start == pos + 2 && orig[pos + 1] == ' ' &&
                   orig[pos] < 0x80 && orig[pos] > ' ') {
            /* ", " and the like: a copied byte and a space (pt_scan()) */
            unsigned char c = orig[pos];

            if (n >= PT_MAX_TEXT - 1 || len > PT_MAX_TEXT - n - 2)
                return WM_ETOOBIG;
            rc = pt_room(pt, w, n + 2 + len + 1, w->n_units + 3);
            if (rc != WM_OK)
                return rc;
            w->text[n] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            w->text[n + 1] = ' ';
            pt_unit_add(w, n, pos, pos + 1, 1, 0);
            pt_unit_add(w, n + 1, pos + 1, pos + 2, 0, 0);
            n += 2;
        } else {
            rc = pt_add_gap(pt, w, orig, pos, tok->start, &n);
            if (rc == WM_OK && len > PT_MAX_TEXT - n)
                rc = WM_ETOOBIG;
            if (rc == WM_OK)
                rc = pt_room(pt, w, n + len + 1, w->n_units + 1);
            if (rc != WM_OK)
                return rc;
        }
        if (tok->norm_len)
            pt_copy(w->text + n, tok->norm, len);
        else {
            pt_fold_copy((unsigned char *)w->text + n, orig + tok->start, len);
            w->odd |= pt_odd(orig + tok->start, len);
        }
        pt_unit_add(w, n, tok->start, tok->end, 0, tok->flags);
        n += len;
        pos = tok->end;
    }
    rc = pt_add_gap(pt, w, orig, pos, an->text_len, &n);
    if (rc == WM_OK)
        rc = pt_room(pt, w, n + 1, 0); /* room for the NUL */
    if (rc != WM_OK)
        return rc;
    w->text[n] = '\0';
    *text_len = n;
    return WM_OK;
}

/* The unit that holds byte `at` of the normalised text (binary search). */
static const pt_unit *pt_unit_at(const pt_worker *w, size_t at)
{
    size_t lo = 0, hi = w->n_units;

    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;

        if (w->units[mid].at <= at)
            lo = mid;
        else
            hi = mid;
    }
    return &w->units[lo];
}

/*
** Maps a match [s, e) of the normalised text (e > s) to the original bytes:
** a copied unit byte for byte, a token or blank run whole. Writes whether
** a token in it is negated.
*/
static void pt_map(const pt_worker *w, size_t s, size_t e, size_t *start,
                   size_t *end, int *negated)
{
    const pt_unit *a = pt_unit_at(w, s), *b = pt_unit_at(w, e - 1);

    *start = a->linear ? a->start + (s - a->at) : a->start;
    *end = b->linear ? b->start + (e - b->at) : b->end;
    *negated = 0;
    for (const pt_unit *u = a; u <= b; u++)
        if (u->flags & WM_TOK_NEGATED)
            *negated = 1;
}


/*
** Marks the rules whose literal ends at the state of `row` (a state with
** output: its own literals and those of its output links), reached at
** byte `pos` of the text (one past the literal's last byte), notes where
** the literal is, and lists a rule to run once it has a literal of each of
** its sets.
*/
static void pt_mark(const pattern *pt, pt_worker *w, uint32_t row, size_t pos)
{
    const pt_ac *ac = &pt->ac;
    uint32_t s = row / ac->n_cols, u;

    u = ac->out_first[s + 1] > ac->out_first[s] ? s : ac->link[s];
    for (; u; u = ac->link[u])
        for (uint32_t k = ac->out_first[u]; k < ac->out_first[u + 1]; k++) {
            uint32_t e = ac->out_rules[k], r = e & ~PT_LIT_SECOND;
            unsigned set = (e & PT_LIT_SECOND) ? 1 : 0;
            unsigned char bit = (unsigned char)(1u << set);
            uint32_t start;

            if (w->mark[r] != w->gen) {
                w->mark[r] = w->gen;
                w->got[r] = 0;
            }
            start = (uint32_t)(pos - ac->depth[u]);
            if (w->got[r] & bit) {
                /* Literals end in order, not begin: "to check " ends
                ** after "check" in "to check on". */
                if (start > w->where[r].last[set])
                    w->where[r].last[set] = start;
                continue;
            }
            w->where[r].first[set] = (uint32_t)pos;
            w->where[r].last[set] = start;
            w->got[r] |= bit;
            if (w->got[r] == pt->rules[r].need)
                w->hits[w->n_hits++] = r;
        }
}

/* One step of the automaton from `row` over byte c, byte pos - 1 of the
** text; marks what ends there. Returns the new row. */
static inline uint32_t pt_step(const pattern *pt, pt_worker *w, uint32_t row,
                               unsigned char c, size_t pos)
{
    uint32_t t = pt->ac.next[row + pt->ac.cls[c]];

    row = t & ~PT_AC_OUT;
    if (t & PT_AC_OUT)
        pt_mark(pt, w, row, pos);
    return row;
}

/* The automaton's run from `row` over s[0..len), byte `at` on of the text,
** folded first when `fold` (pt_fold(): bytes that are not a normal form).
** Returns the row it ends in. */
static uint32_t pt_walk(const pattern *pt, pt_worker *w, uint32_t row,
                        const unsigned char *s, size_t len, int fold,
                        size_t at)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];

        if (fold && pt_fold(s, i, len, &c)) {
            row = pt_step(pt, w, row, 0xC3, at + i + 1);
            i++;
        }
        row = pt_step(pt, w, row, c, at + i + 1);
    }
    return row;
}

/* Equal bytes a[0..n) and b[0..n), in a few loads for the short strings
** of a normal form (nearly all under 16 bytes), reading each string only
** within its n bytes. */
static inline int pt_same_bytes(const char *a, const char *b, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t a0, a1, b0, b1;

        memcpy(&a0, a, 8);
        memcpy(&b0, b, 8);
        memcpy(&a1, a + n - 8, 8);
        memcpy(&b1, b + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (n >= 4 && n < 8) {
        uint32_t a0, a1, b0, b1;

        memcpy(&a0, a, 4);
        memcpy(&b0, b, 4);
        memcpy(&a1, a + n - 4, 4);
        memcpy(&b1, b + n - 4, 4);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (n < 4) {
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i])
                return 0;
        return 1;
    }
    return memcmp(a, b, n) == 0;
}

/* Forgets every remembered run (the memo's memory stays). */
static void pt_memo_forget(pt_worker *w)
{
    if (w->memo)
        memset(w->memo, 0, w->cap_memo * sizeof *w->memo);
    w->n_memo_text = 0;
}

/*
** Remembers the automaton's run over token tok's normal form from the blank
** row (pt_ac.blank, where a word after a one-space gap mostly starts) in
** the worker's memo, under the form's id, the first time the form is met
** (or, not by_id, when the id now names another form: an analyzer whose
** cache starts afresh gives its ids anew). Returns NULL for a form the memo
** does not hold (no id, too long, more outputs than an entry holds, no
** memory): the caller walks it, with the same result. Slot 0 (WM_ID_NONE)
** is never filled, so a token without an id finds it empty either way.
*/
static const pt_memo *pt_memo_fill(const pattern *pt, pt_worker *w,
                                   const wm_token *tok)
{
    const unsigned char *s = (const unsigned char *)tok->norm;
    uint32_t id = tok->norm_id, row = pt->ac.blank, n_out = 0;
    size_t len = tok->norm_len;
    pt_memo *m;

    if (id == WM_ID_NONE || id >= PT_MEMO_IDS || len > PT_MEMO_LEN)
        return NULL;
    if (pu_grow(&pt->host, (void **)&w->memo, &w->cap_memo, (size_t)id + 1,
                sizeof *w->memo) != WM_OK)
        return NULL;
    if (!w->by_id) { /* the bytes kept, to be compared */
        if (w->n_memo_text + len > PT_MEMO_BYTES) /* full: start afresh */
            pt_memo_forget(w);
        if (pu_grow(&pt->host, (void **)&w->memo_text, &w->cap_memo_text,
                    w->n_memo_text + len, 1) != WM_OK)
            return NULL;
        memcpy(w->memo_text + w->n_memo_text, s, len);
    }
    m = &w->memo[id];
    for (size_t i = 0; i < len; i++) {
        uint32_t t = pt->ac.next[row + pt->ac.cls[s[i]]];

        row = t & ~PT_AC_OUT;
        if (t & PT_AC_OUT) {
            if (n_out < PT_MEMO_OUTS) {
                m->out[n_out] = row;
                m->at[n_out] = (unsigned char)(i + 1);
            }
            n_out++;
        }
    }
    m->text = (uint32_t)w->n_memo_text;
    /* By id, a form with more outputs than an entry holds is not kept (a
    ** look-up then tests one field; such forms are rare): walked each time
    ** it is met, as the caller walks it anyway. */
    m->len = w->by_id && n_out > PT_MEMO_OUTS ? 0 : (uint32_t)len + 1;
    m->end = row;
    m->n_out = n_out > PT_MEMO_OUTS ? PT_MEMO_MANY : n_out;
    if (!w->by_id)
        w->n_memo_text += len;
    return m->n_out == PT_MEMO_MANY ? NULL : m;
}

/* The memo's entry for token tok's normal form (see pt_memo_fill()), or
** NULL. by_id is w->by_id (the caller's copy: the marks written through w
** would make the compiler read it again per token): an id whose slot is
** filled is the form remembered there, else the bytes must be the same.
** The ids past PT_MEMO_IDS are never in it, as cap_memo does not grow
** past. */
static inline const pt_memo *pt_memo_get(const pattern *pt, pt_worker *w,
                                         const wm_token *tok, int by_id)
{
    if (tok->norm_id < w->cap_memo) {
        const pt_memo *m = &w->memo[tok->norm_id];

        if (by_id) {
            if (m->len != 0) /* never of more outputs than it holds */
                return m;
        } else if (m->len == tok->norm_len + 1 &&
                   pt_same_bytes(w->memo_text + m->text, tok->norm,
                                 tok->norm_len))
            return m->n_out == PT_MEMO_MANY ? NULL : m;
    }
    return pt_memo_fill(pt, w, tok);
}

/*
** The automaton's run from `row` over token tok's normal form, byte `at`
** on of the text, when row is not the blank row its memo entry m starts
** from (after "att ", say, where a literal "att åka" goes on): walked
** alongside the memo's until both are in the same state, a byte or two
** into the word mostly; from there on they are one run, the memo's.
** Returns the row it ends in.
*/
static uint32_t pt_join(const pattern *pt, pt_worker *w, uint32_t row,
                        const wm_token *tok, const pt_memo *m, size_t at)
{
    const unsigned char *s = (const unsigned char *)tok->norm;
    uint32_t b = pt->ac.blank;
    size_t i = 0;

    while (row != b && i < tok->norm_len) {
        row = pt_step(pt, w, row, s[i], at + i + 1);
        b = pt->ac.next[b + pt->ac.cls[s[i]]] & ~PT_AC_OUT;
        i++;
    }
    if (row != b)
        return row;
    for (uint32_t k = 0; k < m->n_out; k++)
        if (m->at[k] > i)
            pt_mark(pt, w, m->out[k], at + m->at[k]);
    return m->end;
}

/* The automaton's run from `row` over the normalised text of the original
** bytes text[a..b) between two tokens (as pt_add_gap() writes it); adds
** its length to *n. Returns the row it ends in. */
static uint32_t pt_scan_gap(const pattern *pt, pt_worker *w,
                            const unsigned char *text, size_t a, size_t b,
                            uint32_t row, size_t *n)
{
    size_t i = a, len = 0;

    while (i < b) {
        int blank;
        size_t j = pt_gap_run(text, i, b, &blank);

        if (blank) {
            row = pt_step(pt, w, row, ' ', *n + len + 1);
            len++;
        } else {
            row = pt_walk(pt, w, row, text + i, j - i, 1, *n + len);
            len += j - i;
        }
        i = j;
    }
    *n += len;
    return row;
}

/*
** The prefilter's pass: marks the rules whose literals occur in the
** answer's normalised text, fed to the automaton piece by piece as
** pt_build_text() would write it, without writing it. A word's run is
** taken from the memo (a word that starts elsewhere than the blank row
** after a walk of its first bytes); by_id is w->by_id, a constant in each
** of pt_scan()'s two calls. Writes the text's length; WM_ETOOBIG when it
** would be over PT_MAX_TEXT bytes (as pt_build_text() says).
*/
static inline int pt_scan_as(const pattern *pt, pt_worker *w,
                             const wm_analysis *an, size_t *text_len,
                             const int by_id)
{
    /* Locals: the marks written through w (bytes) could be anything to
    ** the compiler, which would read these again after every call. */
    const pt_ac *ac = &pt->ac;
    const uint32_t *next = ac->next;
    const uint16_t *cls = ac->cls;
    const unsigned char *orig = (const unsigned char *)an->text;
    const size_t orig_len = an->text_len;
    /* An answer without tokens may have none to point at (NULL). */
    const wm_token *tok = an->tokens, *end = an->n_tokens ? tok + an->n_tokens : tok;
    const uint32_t space = cls[' '], blank = ac->blank;
    uint32_t row = 0;
    size_t pos = 0, n = 0;

    for (; tok < end; tok++) {
        const pt_memo *m;

        if (!(tok->flags & PT_CONTENT) || (tok->flags & PT_ALT) ||
            tok->start < pos || tok->end > orig_len)
            continue;
        if (tok->start == pos + 1 && orig[pos] == ' ') {
            uint32_t s = next[row + space];

            row = s & ~PT_AC_OUT;
            if (s & PT_AC_OUT)
                pt_mark(pt, w, row, n + 1);
            n++;
        } else if (tok->start == pos + 2 && orig[pos + 1] == ' ' &&
                   orig[pos] < 0x80 && orig[pos] > ' ') {
            /* The next most common gap: ", " or ". ", an ASCII character
            ** that is not blank and a space (two runs of pt_add_gap()). */
            unsigned char c = orig[pos];

            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c + 32);
            row = pt_step(pt, w, row, c, n + 1);
            row = pt_step(pt, w, row, ' ', n + 2);
            n += 2;
        } else if (tok->start > pos)
            row = pt_scan_gap(pt, w, orig, pos, tok->start, row, &n);
        pos = tok->end;
        if (!tok->norm_len) { /* over the length limit: as written, folded */
            size_t len = tok->end - tok->start;

            if (len > PT_MAX_TEXT - (n < PT_MAX_TEXT ? n : PT_MAX_TEXT))
                return WM_ETOOBIG;
            row = pt_walk(pt, w, row, orig + tok->start, len, 1, n);
            n += len;
        } else if ((m = pt_memo_get(pt, w, tok, by_id)) != NULL) {
            if (row != blank)
                row = pt_join(pt, w, row, tok, m, n);
            else {
                for (uint32_t k = 0; k < m->n_out; k++)
                    pt_mark(pt, w, m->out[k], n + m->at[k]);
                row = m->end;
            }
            n += tok->norm_len;
        } else {
            row = pt_walk(pt, w, row, (const unsigned char *)tok->norm,
                          tok->norm_len, 0, n);
            n += tok->norm_len;
        }
    }
    if (orig_len > pos)
        row = pt_scan_gap(pt, w, orig, pos, orig_len, row, &n);
    /* The sum of lengths of normal forms and of bytes of the answer cannot
    ** wrap around: the test of the whole is the test of every piece. */
    if (n > PT_MAX_TEXT)
        return WM_ETOOBIG;
    *text_len = n;
    return WM_OK;
}

/* pt_scan_as() made twice, for the memo by id and by bytes, so that the
** kind of memo is not tested per word (and the compiler lays out each
** loop for its own look-up: 8 M instructions less on 20 MB sv than one
** loop with the test). */
static int pt_scan(const pattern *pt, pt_worker *w, const wm_analysis *an,
                   size_t *text_len)
{
    return w->by_id ? pt_scan_as(pt, w, an, text_len, 1)
                    : pt_scan_as(pt, w, an, text_len, 0);
}

/* Names a PCRE2 match error for the record's message. */
static const char *pt_match_error(int rc)
{
    switch (rc) {
    case PCRE2_ERROR_MATCHLIMIT: return "match limit";
    case PCRE2_ERROR_DEPTHLIMIT: return "depth limit";
    case PCRE2_ERROR_HEAPLIMIT: return "heap limit";
    case PCRE2_ERROR_JIT_STACKLIMIT: return "JIT stack limit";
    case PCRE2_ERROR_NOMEMORY: return "out of memory";
    default: return "matching error";
    }
}

/*
** Runs one rule on the text: each match (at most PT_MAX_SPANS) is
** evidence; the rule's weight counts once. A match of no characters does
** not count; with flag 'n' neither does one that holds a negated token.
** A PCRE2 error (a limit hit) fails the answer with the rule's line.
*/
static int pt_run_rule(const pattern *pt, pt_worker *w, const pt_rule *r,
                       const char *text, size_t len, wm_plugin_output *out,
                       uint64_t *touched)
{
    size_t off = 0;
    PCRE2_SIZE limit = PCRE2_UNSET;
    int spans = 0, counted = 0;

    /* Every match holds a literal of each of the rule's sets, so it begins
    ** at or before the last occurrence of each: PCRE2 need not try a start
    ** after the earliest of those. And it ends at or after the first
    ** occurrence of each, so with a bound on its length it begins no more
    ** than that many characters before the latest of those: the search
    ** starts there. A window that holds no start leaves PCRE2 out. (None
    ** of this when the text holds a character that matches a literal's
    ** letter without being it: pt_odd().) */
    if (r->need && !w->odd) {
        const pt_where *p = &w->where[r - pt->rules];
        size_t first = 0;

        for (unsigned set = 0; set < 2; set++)
            if (r->need & (1u << set)) {
                if (p->last[set] < limit)
                    limit = p->last[set];
                if (p->first[set] > first)
                    first = p->first[set];
            }
        if (r->max_len != PT_LEN_NONE) {
            off = first;
            for (uint32_t k = 0; k < r->max_len && off > 0; k++) {
                off--;
                while (off > 0 && ((unsigned char)text[off] & 0xC0) == 0x80)
                    off--;
            }
        }
        if (off > limit)
            return WM_OK;
    }
    pcre2_set_offset_limit(w->mctx, limit);

    while (off <= len && spans < PT_MAX_SPANS) {
        PCRE2_SIZE *ov;
        size_t s, e, start, end;
        int negated, rc;

        rc = pcre2_match(r->code, (PCRE2_SPTR)text, len, off,
                         PCRE2_NO_UTF_CHECK, w->md, w->mctx);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0) {
            pu_message(out->err, out->err_size,
                       "pattern: %s:%u: %s hit (PCRE2 error %d); the "
                       "answer's pattern results are dropped", pt->name,
                       (unsigned)r->line, pt_match_error(rc), rc);
            return rc == PCRE2_ERROR_NOMEMORY ? WM_ENOMEM : WM_ETOOBIG;
        }
        ov = pcre2_get_ovector_pointer(w->md);
        s = ov[0];
        e = ov[1];
        if (e <= s) { /* empty (or \K-reversed): step one character on */
            size_t next = (s > off ? s : off) + 1;

            while (next < len && ((unsigned char)text[next] & 0xC0) == 0x80)
                next++;
            off = next;
            continue;
        }
        off = e;
        pt_map(w, s, e, &start, &end, &negated);
        if (negated && (r->flags & PT_RULE_NOT_NEG))
            continue;
        if (!counted) {
            counted = 1;
            w->sum[r->area] += r->weight;
            *touched |= (uint64_t)1 << r->area;
        }
        spans++;
        rc = out->add_evidence(out, r->area, start, end, r->weight,
                               pt->pool + r->text);
        if (rc != WM_OK) {
            pu_message(out->err, out->err_size,
                       "pattern: cannot record evidence (error %d)", rc);
            return rc;
        }
    }
    return WM_OK;
}

/*
** Classifies one answer: marks the rules whose literal its normalised text
** holds (pt_scan), and only when there is a rule to run (those, and the
** rules without a literal) builds the text and runs them in file order,
** turning each area's sum S into S / (S + T). Scratch is the worker's; the
** instance is only read.
*/
static int pt_classify(void *state, void *worker, const wm_plugin_input *in,
                       wm_plugin_output *out)
{
    const pattern *pt = state;
    pt_worker *w = worker;
    size_t len = 0;
    uint64_t touched = 0;
    int rc;

    if (!out)
        return WM_EINVAL;
    if (!pt || !w || !in || !in->analysis || !out->scores ||
        !out->add_evidence || out->n_areas < pt->n_areas) {
        pu_message(out->err, out->err_size,
                   "pattern: invalid arguments to classify()");
        return WM_EINVAL;
    }
    /* The memo by id while the host's ids keep their forms (ABI 1.3: until
    ** id_epoch changes), else by the forms' bytes; remembered runs are
    ** forgotten when either changes. */
    if (WM_HAS_FIELD(in, wm_plugin_input, id_epoch)) {
        if (!w->by_id || w->epoch != in->id_epoch) {
            w->by_id = 1;
            w->epoch = in->id_epoch;
            pt_memo_forget(w);
        }
    } else if (w->by_id) {
        w->by_id = 0;
        pt_memo_forget(w);
    }
    if (++w->gen == 0) { /* wrapped: forget every mark once */
        memset(w->mark, 0, ((size_t)pt->n_rules + 1) * sizeof *w->mark);
        w->gen = 1;
    }
    w->n_hits = 0;
    for (uint32_t k = 0; k < pt->n_always; k++) {
        w->mark[pt->always[k]] = w->gen;
        w->got[pt->always[k]] = 0; /* == its need */
        w->hits[w->n_hits++] = pt->always[k];
    }
    /* Without an automaton (prefilter=off, or no rule with a literal)
    ** every rule runs: straight to the text. */
    rc = pt->ac.n_nodes ? pt_scan(pt, w, in->analysis, &len) : WM_OK;
    if (rc == WM_OK && w->n_hits == 0)
        return WM_OK; /* no rule to run: the text is not needed */
    if (rc == WM_OK)
        rc = pt_build_text(pt, w, in->analysis, &len);
    if (rc == WM_ETOOBIG) {
        pu_message(out->err, out->err_size,
                   "pattern: answer over %u bytes of normalised text; not "
                   "matched", PT_MAX_TEXT);
        return rc;
    }
    if (rc != WM_OK) {
        pu_message(out->err, out->err_size, "pattern: out of memory");
        return rc;
    }
    for (size_t a = 0; a < pt->n_areas; a++)
        w->sum[a] = 0;
    /* The rules run in file order (the evidence's order and the sums'
    ** rounding depend on it). The few rules an answer marks are sorted
    ** (insertion sort: small and mostly in order); past PT_SORT_MAX it is
    ** cheaper to go through every rule and test its mark. */
    if (w->n_hits <= PT_SORT_MAX) {
        for (uint32_t i = 1; i < w->n_hits; i++) {
            uint32_t r = w->hits[i], j = i;

            for (; j > 0 && w->hits[j - 1] > r; j--)
                w->hits[j] = w->hits[j - 1];
            w->hits[j] = r;
        }
        for (uint32_t i = 0; i < w->n_hits; i++) {
            rc = pt_run_rule(pt, w, &pt->rules[w->hits[i]], w->text, len,
                             out, &touched);
            if (rc != WM_OK)
                return rc;
        }
    } else {
        for (uint32_t r = 0; r < pt->n_rules; r++) {
            if (w->mark[r] != w->gen || w->got[r] != pt->rules[r].need)
                continue;
            rc = pt_run_rule(pt, w, &pt->rules[r], w->text, len, out,
                             &touched);
            if (rc != WM_OK)
                return rc;
        }
    }
    for (size_t a = 0; a < pt->n_areas; a++)
        if (touched & ((uint64_t)1 << a))
            out->scores[a] = w->sum[a] / (w->sum[a] + pt->threshold[a]);
    return WM_OK;
}

/* ------------------------------------------------------------------------
** The descriptor and the entry point
** --------------------------------------------------------------------- */

static const wm_plugin pt_descriptor = {
    WM_PLUGIN_ABI_MAJOR,
    WM_PLUGIN_ABI_MINOR,
    sizeof(wm_plugin),
    "pattern",
    "1.0.0",
    "Codes answers into areas by PCRE2 rules (<lang>/patterns.txt) over the "
    "normalised text, with a literal prefilter and per-answer limits",
    pt_create,
    pt_destroy,
    pt_worker_new,
    pt_worker_free,
    pt_classify,
};

#ifdef WM_PLUGIN_STATIC
/* The built-in copy: the library finds it by this name (hidden symbol). */
const wm_plugin *wm_builtin_pattern(void);

/* Returns the descriptor of the plugin linked into the library. */
const wm_plugin *wm_builtin_pattern(void)
{
    return &pt_descriptor;
}
#else
/* Returns the descriptor: the one symbol the module exports. */
WM_PLUGIN_EXPORT const wm_plugin *wm_plugin_entry(void)
{
    return &pt_descriptor;
}
#endif

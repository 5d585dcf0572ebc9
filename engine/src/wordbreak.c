/*
** wordbreak.c — Unicode UAX #29 word boundaries (Unicode 15.0).
**
** wm_wb_next() starts at a boundary and walks forward until the rules put a
** break, so it needs no state from earlier calls: every rule that looks
** back (WB7, WB7c, WB11, WB15/16) only ever looks back to characters of the
** segment being built, because the rule that would have joined the previous
** segment to this one (WB6, WB7b, WB12, the RI pairing) already failed.
**
** How the rules are applied:
**   - WB1/WB2 are the ends of the text; WB3/3a/3b are handled where a
**     segment starts (CR LF, LF, Newline end it at once) and by the pair
**     table (nothing joins a following CR, LF or Newline).
**   - WB4 is the ABSORB action: Extend, Format and ZWJ join the segment and
**     leave "prev", the value the later rules see, unchanged; "raw" keeps
**     the true previous character for WB3c (ZWJ × Extended_Pictographic)
**     and WB3d (WSegSpace × WSegSpace).
**   - WB5..WB13b, WB15/16 and WB999 are a table indexed by (prev, cur).
**     The three rules that need the character after next (WB6, WB7b, WB12)
**     peek past it, skipping what WB4 absorbs; when the peek succeeds they
**     record which values may come next ("need"), which is exactly WB7,
**     WB7c and WB11.
**
** The mask: each character that enters the segment as its own base adds
** its class's WM_WB_* bits. Two kinds of character add nothing, because
** they do not change what the segment is: those WB4 absorbs into a
** preceding character (so "a" + U+030A is WM_WB_LETTER, and a lone mark
** is WM_WB_OTHER), and the MidLetter/MidNum/MidNumLet/quote characters
** that WB6/7, WB7b/c and WB11/12 hold inside a word or number (so "can't"
** and "e.g" are WM_WB_LETTER and "3.5" is WM_WB_DIGIT). ExtendNumLet
** ("_") is a character of its own and adds WM_WB_PUNCT.
**
** Speed: a word of ASCII and Latin-1 letters is taken sixteen bytes at a
** time by wm_wb_step() in wordbreak.h, inline in the analyzer's loop; what
** it does not finish comes here. A segment that starts with a letter,
** digit or "_" is run through wb_word(), which takes ASCII letters eight
** at a time, other ASCII by the 128-entry table and two-byte UTF-8
** (U+0080..07FF: å, ä, ö, é, ü, ...) decoded in place, and leaves only for
** a Mid character or something rarer; a run of ASCII spaces is a loop of
** its own. Only bytes above 0x7F are decoded. Nothing is allocated and the
** tables are const.
*/
#include "wordbreak.h"

#include <stdint.h>
#include <string.h>

#include "utf8.h"

/* What the pair table says to do with the next character. */
enum wb_action {
    ACT_BREAK,     /* ÷ (WB3b, WB999, and every pair no rule joins) */
    ACT_JOIN,      /* × (WB5, WB8, WB9, WB10, WB13, WB13a, WB13b) */
    ACT_ABSORB,    /* × and keep prev (WB4) */
    ACT_WSEG,      /* × when raw is WSegSpace too (WB3d) */
    ACT_RI,        /* × for the second of a pair only (WB15, WB16) */
    ACT_AFTER_MID, /* × when a peek allowed it (WB7, WB7c, WB11) */
    ACT_MID_AHL,   /* × when an AHLetter follows (WB6) */
    ACT_MID_HL_SQ, /* as ACT_MID_AHL, else × as a trailing quote (WB7a) */
    ACT_MID_HL_DQ, /* × when a Hebrew_Letter follows (WB7b) */
    ACT_MID_NUM    /* × when a Numeric follows (WB12) */
};

/* Bits of "need": the values a peek proved will come next. */
#define NEED_AHL ((1u << WM_WBP_ALETTER) | (1u << WM_WBP_HL))
#define NEED_HL  (1u << WM_WBP_HL)
#define NEED_NUM (1u << WM_WBP_NUMERIC)

/* The values the ASCII word loop keeps joining (WB5, WB8-10, WB13a/b). */
#define WORD_SET ((1u << WM_WBP_ALETTER) | (1u << WM_WBP_NUMERIC) | \
                  (1u << WM_WBP_EXTENDNUMLET))
/* The values that may join a word only with a look ahead (WB6, WB12). */
#define MIDQ_SET ((1u << WM_WBP_SQ) | (1u << WM_WBP_MIDNUMLET) | \
                  (1u << WM_WBP_MIDLETTER) | (1u << WM_WBP_MIDNUM))
/* The values after a Mid character that can hold it inside a word. */
#define HELD_BY ((1u << WM_WBP_ALETTER) | (1u << WM_WBP_HL) | (1u << WM_WBP_NUMERIC))

/* Short names so that the table below reads as a grid. */
#define BK ACT_BREAK
#define JN ACT_JOIN
#define AB ACT_ABSORB
#define WS ACT_WSEG
#define RI ACT_RI
#define AM ACT_AFTER_MID
#define MA ACT_MID_AHL
#define HQ ACT_MID_HL_SQ
#define HD ACT_MID_HL_DQ
#define MN ACT_MID_NUM

/*
** pair[prev][cur]: rows are the previous value as WB4 sees it, columns the
** next character's value, both in WM_WBP_* order. The CR, LF and Newline
** rows are never used (those characters end their segment at once).
*/
static const uint8_t wb_pair[WM_WBP_COUNT][WM_WBP_COUNT] = {
    /*            Oth CR  LF  NL  Ext ZWJ RI  Fmt Kat HL  AL  SQ  DQ  MNL ML  MN  Num ENL WS */
    /* Other */ { BK, BK, BK, BK, AB, AB, BK, AB, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK },
    /* CR    */ { BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK },
    /* LF    */ { BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK },
    /* NL    */ { BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK },
    /* Ext   */ { BK, BK, BK, BK, AB, AB, BK, AB, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK },
    /* ZWJ   */ { BK, BK, BK, BK, AB, AB, BK, AB, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK },
    /* RI    */ { BK, BK, BK, BK, AB, AB, RI, AB, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK },
    /* Fmt   */ { BK, BK, BK, BK, AB, AB, BK, AB, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK },
    /* Kat   */ { BK, BK, BK, BK, AB, AB, BK, AB, JN, BK, BK, BK, BK, BK, BK, BK, BK, JN, BK },
    /* HL    */ { BK, BK, BK, BK, AB, AB, BK, AB, BK, JN, JN, HQ, HD, MA, MA, BK, JN, JN, BK },
    /* AL    */ { BK, BK, BK, BK, AB, AB, BK, AB, BK, JN, JN, MA, BK, MA, MA, BK, JN, JN, BK },
    /* SQ    */ { BK, BK, BK, BK, AB, AB, BK, AB, BK, AM, AM, BK, BK, BK, BK, BK, AM, BK, BK },
    /* DQ    */ { BK, BK, BK, BK, AB, AB, BK, AB, BK, AM, BK, BK, BK, BK, BK, BK, BK, BK, BK },
    /* MNL   */ { BK, BK, BK, BK, AB, AB, BK, AB, BK, AM, AM, BK, BK, BK, BK, BK, AM, BK, BK },
    /* ML    */ { BK, BK, BK, BK, AB, AB, BK, AB, BK, AM, AM, BK, BK, BK, BK, BK, BK, BK, BK },
    /* MN    */ { BK, BK, BK, BK, AB, AB, BK, AB, BK, BK, BK, BK, BK, BK, BK, BK, AM, BK, BK },
    /* Num   */ { BK, BK, BK, BK, AB, AB, BK, AB, BK, JN, JN, MN, BK, MN, BK, MN, JN, JN, BK },
    /* ENL   */ { BK, BK, BK, BK, AB, AB, BK, AB, JN, JN, JN, BK, BK, BK, BK, BK, JN, JN, BK },
    /* WS    */ { BK, BK, BK, BK, AB, AB, BK, AB, BK, BK, BK, BK, BK, BK, BK, BK, BK, BK, WS },
};

#undef BK
#undef JN
#undef AB
#undef WS
#undef RI
#undef AM
#undef MA
#undef HQ
#undef HD
#undef MN

/*
** The class of a code point (0..10FFFF) from the two-stage table. Kept
** inline: it is three dependent loads from tables that stay in cache.
*/
static inline const struct wm_wb_class *wb_class(int32_t cp)
{
    uint32_t c = (uint32_t)cp;
    size_t block = (size_t)wm_wb_stage1[c >> WM_WB_SHIFT] << WM_WB_SHIFT;
    return &wm_wb_classes[wm_wb_stage2[block | (c & WM_WB_BLOCK_MASK)]];
}

/* Whether WB4 absorbs a character of this value into the one before. */
static inline int wb_absorbed(unsigned v)
{
    return v == WM_WBP_EXTEND || v == WM_WBP_FORMAT || v == WM_WBP_ZWJ;
}

/*
** The value of the first character at or after pos that WB4 does not
** absorb, for the rules that look one character further (WB6, WB7b,
** WB12). Invalid UTF-8 reads as Other, the end of the text as
** WM_WBP_COUNT; neither satisfies any of those rules.
*/
static unsigned wb_peek(const unsigned char *text, size_t len, size_t pos)
{
    while (pos < len) {
        unsigned b = text[pos];
        int32_t cp;
        size_t n;
        unsigned v;

        if (b < 0x80)
            return wm_wb_ascii[b].wb; /* ASCII holds nothing WB4 absorbs */
        n = wm_utf8_decode(text, len, pos, &cp);
        if (cp < 0)
            return WM_WBP_OTHER;
        v = wb_class(cp)->wb & WM_WBP_VALUE;
        if (!wb_absorbed(v))
            return v;
        pos += n;
    }
    return WM_WBP_COUNT;
}

/*
** The general machine: continues a segment whose last character (a base,
** not absorbed) has the value prev and whose mask so far is m, from pos,
** and returns where the segment ends. The fast paths of wm_wb_next() hand
** over to it as soon as they meet anything they do not handle themselves.
*/
static size_t wb_scan(const unsigned char *text, size_t len, size_t pos,
                      unsigned prev, unsigned m, unsigned *mask)
{
    unsigned raw = prev; /* value of the last character, absorbed or not */
    unsigned need = 0;   /* NEED_* bits a successful peek set */
    int ri_pair = 0;     /* the segment holds a full RI pair already */

    while (pos < len) {
        const struct wm_wb_class *c;
        unsigned b = text[pos];
        size_t n = 1;
        unsigned cur, act;
        unsigned held = 0; /* NEED_* bits when cur is held inside a word */
        int join;

        if (b < 0x80) {
            c = &wm_wb_ascii[b];
        } else {
            int32_t cp;
            n = wm_utf8_decode(text, len, pos, &cp);
            if (cp < 0)
                break; /* invalid UTF-8 is a segment of its own */
            c = wb_class(cp);
        }
        cur = c->wb & WM_WBP_VALUE;
        act = wb_pair[prev][cur];

        switch (act) {
        case ACT_JOIN:
            join = 1;
            break;
        case ACT_ABSORB:
            raw = cur;
            pos += n;
            continue;
        case ACT_WSEG:
            join = raw == WM_WBP_WSEGSPACE;
            break;
        case ACT_RI:
            join = !ri_pair;
            ri_pair = 1;
            break;
        case ACT_AFTER_MID:
            join = (need >> cur) & 1u;
            break;
        case ACT_MID_AHL:
        case ACT_MID_HL_SQ:
            if ((NEED_AHL >> wb_peek(text, len, pos + n)) & 1u)
                held = NEED_AHL;
            join = held || act == ACT_MID_HL_SQ; /* WB7a keeps a trailing ' */
            break;
        case ACT_MID_HL_DQ:
            if (wb_peek(text, len, pos + n) == WM_WBP_HL)
                held = NEED_HL;
            join = held != 0;
            break;
        case ACT_MID_NUM:
            if (wb_peek(text, len, pos + n) == WM_WBP_NUMERIC)
                held = NEED_NUM;
            join = held != 0;
            break;
        default:
            join = 0;
            break;
        }
        /* WB3c joins a pictograph to a ZWJ whatever came before. */
        if (!join && (raw != WM_WBP_ZWJ || !(c->wb & WM_WBP_EP)))
            break;
        if (!held)
            m |= c->mask; /* a held Mid character adds no bits */
        need = held;
        prev = raw = cur;
        pos += n;
    }
    *mask = m;
    return pos;
}

/*
** Where the first byte that is not an ASCII letter is among the eight at p
** (0..7), or 8 when all eight are letters. Per byte: with 0x20 set (lower
** case), an ASCII byte is a letter when adding 0x1F reaches 0x80 (>= 'a')
** and adding 0x05 does not (<= 'z'); bit 7 of w marks a non-ASCII byte,
** which is no letter. Only a non-ASCII byte can carry into the next, and
** that is a byte after the first non-letter, which is all we look for.
** Little-endian: byte 0 is the low byte, so the count of trailing zeros
** finds the first.
*/
static inline unsigned ascii_letters8(const unsigned char *p)
{
    const uint64_t highs = UINT64_C(0x8080808080808080);
    uint64_t w, t, letter;

    memcpy(&w, p, 8);
    t = w | UINT64_C(0x2020202020202020);
    letter = (t + UINT64_C(0x1F1F1F1F1F1F1F1F)) & ~(t + UINT64_C(0x0505050505050505)) &
             ~w & highs;
    if (letter == highs)
        return 8;
    return (unsigned)__builtin_ctzll(~letter & highs) >> 3;
}

/*
** The word loop: continues a segment whose last character (a base) has
** the value prev, one of WORD_SET, with mask m so far, over characters
** that join it whatever follows (WB5, WB8, WB9, WB10, WB13a/b: ALetter,
** Numeric and ExtendNumLet after one another). ASCII letters go eight at
** a time, other ASCII by the table, and a two-byte UTF-8 character
** (U+0080..07FF) is decoded in place, the Latin letters of the Nordic
** languages among them. Anything else goes to wb_scan() in the state it
** would have reached there itself: prev the last character's value, no
** peek pending, no RI pair.
*/
static inline __attribute__((always_inline)) size_t
wb_word(const unsigned char *text, size_t len, size_t pos, unsigned prev, unsigned m,
        unsigned *mask)
{
    for (;;) {
        const struct wm_wb_class *c;
        unsigned b;
        size_t n = 1;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        while (len - pos >= 8) {
            unsigned k = ascii_letters8(text + pos);
            if (k == 0)
                break;
            m |= WM_WB_LETTER;
            prev = WM_WBP_ALETTER;
            pos += k;
            if (k < 8)
                break;
        }
#endif
        if (pos == len)
            break;
        b = text[pos];
        if (b < 0x80) {
            c = &wm_wb_ascii[b];
            if (!((WORD_SET >> c->wb) & 1u)) {
                /* The word ends here unless a Mid character may hold it
                ** together with what follows (WB6/7, WB11/12), which needs
                ** a letter or a digit after it. ASCII holds nothing WB4
                ** absorbs, so an ASCII byte after it that is neither (the
                ** space after "slut." or "ja,") settles it here. */
                if (((MIDQ_SET >> c->wb) & 1u) && len - pos >= 2 &&
                    (text[pos + 1] >= 0x80 ||
                     ((HELD_BY >> wm_wb_ascii[text[pos + 1]].wb) & 1u)))
                    return wb_scan(text, len, pos, prev, m, mask);
                break;
            }
        } else if (b >= 0xC2 && b <= 0xDF && len - pos >= 2 &&
                   (text[pos + 1] & 0xC0) == 0x80) {
            c = wb_class((int32_t)((b & 0x1Fu) << 6 | (text[pos + 1] & 0x3Fu)));
            /* c->wb may carry WM_WBP_EP (0x20): such a letter is left to
            ** wb_scan(), as the 64-bit shift finds no bit for it. */
            if (!(((uint64_t)WORD_SET >> c->wb) & 1u))
                return wb_scan(text, len, pos, prev, m, mask);
            n = 2;
        } else {
            /* three- and four-byte characters, invalid UTF-8 */
            return wb_scan(text, len, pos, prev, m, mask);
        }
        m |= c->mask;
        prev = c->wb;
        pos += n;
    }
    *mask = m;
    return pos;
}

/*
** wm_wb_next() for a segment that starts with a byte above 0x7F. Apart,
** so that the ASCII cases need no registers saved for the decoder's call.
*/
static __attribute__((noinline)) size_t
wb_next_utf8(const unsigned char *text, size_t len, size_t start, unsigned *mask)
{
    int32_t cp;
    size_t n = wm_utf8_decode(text, len, start, &cp);
    const struct wm_wb_class *c;
    unsigned v;

    if (cp < 0) {
        *mask = WM_WB_INVALID;
        return start + n;
    }
    c = wb_class(cp);
    v = c->wb & WM_WBP_VALUE;
    if (v == WM_WBP_NEWLINE) { /* WB3a: U+0085, U+2028, U+2029 */
        *mask = c->mask;
        return start + n;
    }
    if (c->wb < 32 && ((WORD_SET >> c->wb) & 1u)) /* "Är", "Ödmjuk" */
        return wb_word(text, len, start + n, v, c->mask, mask);
    return wb_scan(text, len, start + n, v, c->mask, mask);
}

/* Continues a word of letters for wm_wb_step(); see wordbreak.h. */
wm_wb_seg wm__wb_word_rest(const unsigned char *text, size_t len, size_t pos)
{
    wm_wb_seg g;

    g.end = wb_word(text, len, pos, WM_WBP_ALETTER, WM_WB_LETTER, &g.mask);
    return g;
}

#if defined(__SSE2__)
/* The last block of a text for wm_wb_step(); see wordbreak.h. */
unsigned wm__wb_letters_end(const unsigned char *text, size_t len, size_t pos)
{
    return wm__wb_letters_tail(text + pos, len - pos);
}

/* The blocks after the first of a long word for wm_wb_step(); see
** wordbreak.h. */
wm_wb_seg wm__wb_word_long(const unsigned char *text, size_t len, size_t pos)
{
    unsigned r;

    do {
        r = (unsigned)__builtin_ctz(~(len - pos >= 16
                                          ? wm__wb_letters16(text + pos)
                                          : wm__wb_letters_tail(text + pos, len - pos)));
        pos += r;
    } while (r >= 15 && pos < len);
    if (pos == len)
        return (wm_wb_seg){pos, WM_WB_LETTER};
    return wm__wb_word_end(text, len, pos);
}
#endif

/* Finds the end of the segment at start; see wordbreak.h. */
size_t wm_wb_next(const unsigned char *text, size_t len, size_t start,
                  unsigned *mask)
{
    wm_wb_seg g = wm_wb_step(text, len, start);

    *mask = g.mask;
    return g.end;
}

/*
** The segments wm_wb_step() does not finish itself. The cases that make up
** most text are finished here or in wb_word(): a word of letters and
** digits (ASCII or two-byte UTF-8), and in ASCII a run of spaces, a
** punctuation mark, a line end; everything else goes to wb_scan().
*/
static inline size_t wb_next_general(const unsigned char *text, size_t len, size_t start,
                                     unsigned *mask)
{
    unsigned b = text[start];
    size_t pos = start + 1;
    unsigned v, m;

    if (b >= 0x80)
        return wb_next_utf8(text, len, start, mask);
    v = wm_wb_ascii[b].wb;
    m = wm_wb_ascii[b].mask;
    if ((WORD_SET >> v) & 1u)
        return wb_word(text, len, pos, v, m, mask);
    if (v == WM_WBP_CR) { /* WB3: CR × LF; WB3a: break after */
        *mask = m;
        return (pos < len && text[pos] == '\n') ? pos + 1 : pos;
    }
    if (v == WM_WBP_LF || v == WM_WBP_NEWLINE) {
        *mask = m;
        return pos;
    }
    if (v == WM_WBP_WSEGSPACE) { /* WB3d over ASCII spaces */
        while (pos < len && text[pos] == ' ')
            pos++;
    }
    /* After ASCII punctuation, controls or spaces, no ASCII character
    ** joins (nothing in ASCII is absorbed, no Mid rule has begun). */
    if (pos == len || text[pos] < 0x80) {
        *mask = m;
        return pos;
    }
    return wb_scan(text, len, pos, v, m, mask);
}

/* wb_next_general() for wm_wb_step(); see wordbreak.h. */
wm_wb_seg wm__wb_next_general(const unsigned char *text, size_t len, size_t start)
{
    wm_wb_seg g;

    g.end = wb_next_general(text, len, start, &g.mask);
    return g;
}

// The ncursesw interface as Swift sees it. Only what Swift cannot import directly is here, each
// with the reason; everything else is the real <ncursesw/curses.h>.
#ifndef FRONTDESK_CNCURSESW_SHIM_H
#define FRONTDESK_CNCURSESW_SHIM_H

// Before the include, or get_wch, wint_t and cchar_t stay invisible.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include <locale.h>
#include <wchar.h>

// stdscr, LINES and COLS are global mutable C state, which Swift 6 refuses to read.
static inline WINDOW *fd_stdscr(void) { return stdscr; }
static inline int fd_lines(void) { return LINES; }
static inline int fd_cols(void) { return COLS; }

// Attribute macros are not imported.
static inline attr_t fd_a_bold(void) { return A_BOLD; }
static inline attr_t fd_a_reverse(void) { return A_REVERSE; }
static inline attr_t fd_a_underline(void) { return A_UNDERLINE; }
static inline attr_t fd_a_dim(void) { return A_DIM; }

// Whether the terminal has a string capability: tigetstr gives NULL when it is absent and
// (char *)-1 when the name is not a string capability; Swift cannot compare with the second.
static inline int fd_has_string_capability(const char *name) {
    char *value = tigetstr(name);
    return value != NULL && value != (char *)-1;
}

// KEY_F(n) is a macro.
static inline int fd_key_f(int n) { return KEY_F(n); }

// COLOR_PAIR is a macro on some builds; this one always works.
static inline attr_t fd_color_pair(short pair) { return COLOR_PAIR(pair); }

// Draws one wide-character cell (a grapheme of up to 4 code points) with attributes and a colour pair.
static inline int fd_put_cell(int y, int x, const wchar_t *text, attr_t attributes, short pair) {
    cchar_t cell;
    if (setcchar(&cell, text, attributes, pair, NULL) != OK) return ERR;
    return mvadd_wch(y, x, &cell);
}

#endif

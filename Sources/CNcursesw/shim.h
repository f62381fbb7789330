// What Swift cannot import from ncurses directly (SWIFT-NOTES.md): C globals, attribute macros, KEY_F(n).
#ifndef SLUICE_CNCURSESW_SHIM_H
#define SLUICE_CNCURSESW_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <ncursesw/ncurses.h>

static inline WINDOW *sluice_stdscr(void) { return stdscr; }
static inline int sluice_lines(void) { return LINES; }
static inline int sluice_cols(void) { return COLS; }
static inline int sluice_colors(void) { return COLORS; }
static inline attr_t sluice_a_normal(void) { return A_NORMAL; }
static inline attr_t sluice_a_bold(void) { return A_BOLD; }
static inline attr_t sluice_a_reverse(void) { return A_REVERSE; }
static inline attr_t sluice_a_dim(void) { return A_DIM; }
static inline attr_t sluice_a_underline(void) { return A_UNDERLINE; }
static inline attr_t sluice_color_pair(int n) { return COLOR_PAIR(n); }
static inline int sluice_key_f(int n) { return KEY_F(n); }
static inline int sluice_key_code_yes(void) { return KEY_CODE_YES; }
#endif

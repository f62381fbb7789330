// The Linux system calls Sluice's kernel fast path needs that Swift's Glibc module does not export:
// epoll, eventfd, accept4, splice, recvmmsg/sendmmsg. Declared with plain C types only (implemented in shim.c), so this module
// includes no system header that would clash with the ones Glibc and Dispatch already own.
#ifndef CSLUICE_SYSCALLS_H
#define CSLUICE_SYSCALLS_H
#include <stdint.h>

int csluice_epoll_create(void);
/// Adds `fd` with `events`, its key in `data`.
int csluice_epoll_add(int epfd, int fd, uint32_t events, uint64_t data);
int csluice_epoll_del(int epfd, int fd);
/// Waits; fills `keys` and `events` (parallel arrays of at least `max`, at most 256 used).
int csluice_epoll_wait(int epfd, uint64_t *keys, uint32_t *events, int max, int timeout_ms);
int csluice_eventfd(void);
/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC; `addr` is a sockaddr_storage, `len` its socklen_t.
int csluice_accept(int fd, void *addr, uint32_t *len);
/// A non-blocking, close-on-exec TCP socket of `family`.
int csluice_tcp_socket(int family);
/// malloc_trim(0): glibc returns the free pages of its heaps to the system.
int csluice_malloc_trim(void);
/// Bytes the program's allocations hold now (glibc's mallinfo2: in-use heap chunks plus mmapped ones).
unsigned long csluice_heap_in_use(void);
/// This process's resident set size in bytes (/proc/self/statm), 0 when unreadable.
unsigned long csluice_rss_bytes(void);
/// A non-blocking, close-on-exec UDP socket of `family`.
int csluice_udp_socket(int family);

/// recvmmsg(2), non-blocking, on a connected socket: up to `count` datagrams into `count` slots of `slot_size`
/// bytes laid end to end in `buffer`; datagram i's length in `lengths[i]` (a longer one is cut to its slot).
/// Returns how many came (≥ 1), or -1 with errno (EAGAIN: none waiting). `count` is at most 64.
int csluice_recv_batch(int fd, void *buffer, unsigned long slot_size, int count, unsigned long *lengths);
/// sendmmsg(2), non-blocking, on a connected socket: datagram i is `bases[i]`, `lengths[i]` bytes.
/// Returns how many were sent (≥ 1), or -1 with errno. `count` is at most 64.
int csluice_send_batch(int fd, const void *const *bases, const unsigned long *lengths, int count);

/// splice(2) with SPLICE_F_MOVE | SPLICE_F_NONBLOCK, no offsets (socket ↔ pipe).
long csluice_splice(int from, int to, unsigned long length);
/// A non-blocking, close-on-exec pipe of about `size` bytes (fds[0] reads, fds[1] writes); its size in `*size`.
int csluice_pipe(int fds[2], int *size);

extern const uint32_t CSLUICE_EPOLLIN;
extern const uint32_t CSLUICE_EPOLLOUT;
extern const uint32_t CSLUICE_EPOLLRDHUP;
extern const uint32_t CSLUICE_EPOLLHUP;
extern const uint32_t CSLUICE_EPOLLERR;
extern const uint32_t CSLUICE_EPOLLET;
#endif

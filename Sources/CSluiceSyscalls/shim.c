#ifdef __linux__
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include "CSluiceSyscalls.h"

int csluice_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int csluice_epoll_add(int epfd, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev = { .events = events, .data = { .u64 = data } };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int csluice_epoll_del(int epfd, int fd) { return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL); }

int csluice_epoll_wait(int epfd, uint64_t *keys, uint32_t *events, int max, int timeout_ms) {
    struct epoll_event evs[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    for (int i = 0; i < n; i++) { keys[i] = evs[i].data.u64; events[i] = evs[i].events; }
    return n;
}

int csluice_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int csluice_accept(int fd, void *addr, uint32_t *len) {
    socklen_t l = *len;
    int r = accept4(fd, (struct sockaddr *)addr, &l, SOCK_NONBLOCK | SOCK_CLOEXEC);
    *len = l;
    return r;
}

int csluice_tcp_socket(int family) { return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0); }

int csluice_malloc_trim(void) { return malloc_trim(0); }

unsigned long csluice_heap_in_use(void) {
    struct mallinfo2 m = mallinfo2();
    return (unsigned long)(m.uordblks + m.hblkhd);
}

unsigned long csluice_rss_bytes(void) {
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char text[128];
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return 0;
    text[n] = 0;
    unsigned long size = 0, resident = 0;
    if (sscanf(text, "%lu %lu", &size, &resident) != 2) return 0;
    return resident * (unsigned long)sysconf(_SC_PAGESIZE);
}

int csluice_udp_socket(int family) { return socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0); }

int csluice_recv_batch(int fd, void *buffer, unsigned long slot_size, int count, unsigned long *lengths) {
    struct mmsghdr messages[64];
    struct iovec vectors[64];
    if (count > 64) count = 64;
    for (int i = 0; i < count; i++) {
        vectors[i].iov_base = (char *)buffer + (unsigned long)i * slot_size;
        vectors[i].iov_len = slot_size;
        messages[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &vectors[i], .msg_iovlen = 1 } };
    }
    int n = recvmmsg(fd, messages, (unsigned)count, MSG_DONTWAIT, NULL);
    for (int i = 0; i < n; i++) lengths[i] = messages[i].msg_len;
    return n;
}

int csluice_send_batch(int fd, const void *const *bases, const unsigned long *lengths, int count) {
    struct mmsghdr messages[64];
    struct iovec vectors[64];
    if (count > 64) count = 64;
    for (int i = 0; i < count; i++) {
        vectors[i].iov_base = (void *)bases[i];
        vectors[i].iov_len = lengths[i];
        messages[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &vectors[i], .msg_iovlen = 1 } };
    }
    return sendmmsg(fd, messages, (unsigned)count, MSG_DONTWAIT);
}

long csluice_splice(int from, int to, unsigned long length) {
    return splice(from, NULL, to, NULL, length, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
}

int csluice_pipe(int fds[2], int *size) {
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
    int got = fcntl(fds[1], F_SETPIPE_SZ, *size);
    *size = got > 0 ? got : fcntl(fds[1], F_GETPIPE_SZ);
    return 0;
}

const uint32_t CSLUICE_EPOLLIN = EPOLLIN;
const uint32_t CSLUICE_EPOLLOUT = EPOLLOUT;
const uint32_t CSLUICE_EPOLLRDHUP = EPOLLRDHUP;
const uint32_t CSLUICE_EPOLLHUP = EPOLLHUP;
const uint32_t CSLUICE_EPOLLERR = EPOLLERR;
const uint32_t CSLUICE_EPOLLET = (uint32_t)EPOLLET;
#endif

/*
 * The load generator of the fan-out bench, in C so that the generator is not what saturates
 * first: a generator in Node spends most of its core in per-frame work and in pausing and
 * resuming sockets, and tops out near 100k deliveries/s, below what the servers can do.
 *
 * One publisher and N receivers in one room / channel / topic on 127.0.0.1. The first 10
 * receivers are read as soon as data arrives and give the latency (each message carries its
 * send time); the others are read every 5 ms. For each offered message rate it runs for the
 * given seconds, then waits up to 3 s for every receiver to have every message, and prints one
 * JSON line: sent, expected and received deliveries, latency percentiles, generator CPU.
 *
 *   loadgen <parley|ws|mqtt0|mqtt1|irc> <port> <receivers> <seconds> <rate>[,<rate>...]
 *
 * Built by the bench (cc -O2 ... -lcrypto; bench/install.sh installs libssl-dev); Linux only
 * (epoll). Parley's sign-in is protocol 2: each connection answers the relay's challenge with a
 * hello signed by its own Ed25519 key (OpenSSL), made before any timed step.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum proto { P_PARLEY, P_WS, P_MQTT0, P_MQTT1, P_IRC };
#define FAST 10
#define BUF (4 << 20)
#define PAYLOAD 200
#define MAXLAT 4000000

struct conn {
  int fd;
  EVP_PKEY *key; /* Parley: this member's Ed25519 key */
  int fast;
  long count;
  size_t len; /* bytes in buf */
  unsigned char *buf;
};

static enum proto proto;
static int port;
static struct conn *rx;
static int nrx;
static struct conn pub;
static double *lat;
static long nlat;
static char tag[12];
/* connections the server closed (e.g. a relay cutting off a receiver whose queue passed its cap) */
static int closed;
static int pub_closed;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void die(const char *what) {
  fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
  exit(1);
}

static int write_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
        continue;
      }
      if (errno == EPIPE || errno == ECONNRESET) return -1;
      die("write");
    }
    c += w;
    n -= (size_t)w;
  }
  return 0;
}

static int dial(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

/* Blocking read into c->buf until `pred` finds what it waits for (handshakes only). */
static void read_until(struct conn *c, const char *needle) {
  double end = now_ms() + 15000;
  for (;;) {
    if (memmem(c->buf, c->len, needle, strlen(needle))) return;
    if (proto == P_IRC && (memmem(c->buf, c->len, " 432 ", 5) || memmem(c->buf, c->len, " 433 ", 5))) {
      fprintf(stderr, "loadgen: the IRC server refused the nick: %.*s\n", (int)(c->len > 200 ? 200 : c->len), c->buf);
      exit(1);
    }
    if (now_ms() > end) {
      fprintf(stderr, "loadgen: timed out waiting for %s\n", needle);
      exit(1);
    }
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    if (poll(&pfd, 1, 1000) == 0) continue; /* re-check the deadline at least once a second */
    ssize_t r = read(c->fd, c->buf + c->len, BUF - c->len - 1);
    if (r <= 0) {
      fprintf(stderr, "loadgen: connection closed while waiting for %s (%.*s)\n", needle, (int)(c->len > 300 ? 300 : c->len), c->buf);
      exit(1);
    }
    c->len += (size_t)r;
    if (proto == P_IRC) {
      /* answer PINGs during registration */
      unsigned char *p = memmem(c->buf, c->len, "PING :", 6);
      if (p) {
        char pong[128];
        int n = snprintf(pong, sizeof pong, "PONG :%.*s\r\n", 40, (char *)p + 6);
        char *nl = memchr(pong, '\r', (size_t)n);
        if (nl && nl < pong + n - 2) { nl[0] = '\r'; nl[1] = '\n'; n = (int)(nl - pong) + 2; }
        write_all(c->fd, pong, (size_t)n);
        p[0] = 'X';
      }
    }
  }
}

/* ---- WebSocket client framing (masked text frames out, unmasked frames in) ---- */

static void ws_upgrade(struct conn *c) {
  char req[256];
  int n = snprintf(req, sizeof req, "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: cGFybGV5LWJlbmNoLWtleQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", port);
  write_all(c->fd, req, (size_t)n);
  read_until(c, "\r\n\r\n");
  if (!memmem(c->buf, 16, "101", 3)) {
    fprintf(stderr, "loadgen: upgrade refused: %.*s\n", 80, c->buf);
    exit(1);
  }
  unsigned char *end = memmem(c->buf, c->len, "\r\n\r\n", 4) + 4;
  c->len -= (size_t)(end - c->buf);
  memmove(c->buf, end, c->len);
}

/* Appends one masked text frame to out; returns its length. */
static size_t ws_frame(unsigned char *out, const char *text, size_t len) {
  size_t h = 0;
  out[h++] = 0x81;
  if (len < 126) out[h++] = (unsigned char)(0x80 | len);
  else {
    out[h++] = 0x80 | 126;
    out[h++] = (unsigned char)(len >> 8);
    out[h++] = (unsigned char)(len & 255);
  }
  /* mask 0: XOR with zero leaves the payload as is (a valid mask; the server unmasks it) */
  out[h++] = 0; out[h++] = 0; out[h++] = 0; out[h++] = 0;
  memcpy(out + h, text, len);
  return h + len;
}

static void ws_send(struct conn *c, const char *text) {
  static unsigned char f[70000];
  write_all(c->fd, f, ws_frame(f, text, strlen(text)));
}

/* Walks complete server frames in c->buf; calls fn(payload, len) for data frames; keeps the rest. */
static void ws_frames(struct conn *c, void (*fn)(struct conn *, unsigned char *, size_t)) {
  size_t i = 0;
  for (;;) {
    if (c->len - i < 2) break;
    unsigned char *f = c->buf + i;
    size_t len = f[1] & 127, h = 2;
    if (len == 126) {
      if (c->len - i < 4) break;
      len = ((size_t)f[2] << 8) | f[3];
      h = 4;
    } else if (len == 127) {
      if (c->len - i < 10) break;
      len = 0;
      for (int k = 2; k < 10; k++) len = (len << 8) | f[k];
      h = 10;
    }
    if (c->len - i < h + len) break;
    int op = f[0] & 15;
    if (op == 1 || op == 2) fn(c, f + h, len);
    else if (op == 9) { /* ping: answer with a pong carrying the same payload */
      unsigned char pong[140];
      size_t pl = len > 125 ? 125 : len;
      pong[0] = 0x8A; pong[1] = (unsigned char)(0x80 | pl);
      memset(pong + 2, 0, 4);
      memcpy(pong + 6, f + h, pl);
      write_all(c->fd, pong, 6 + pl);
    }
    i += h + len;
  }
  c->len -= i;
  memmove(c->buf, c->buf + i, c->len);
}

/* ---- per-protocol message handling ---- */

static void stamp(struct conn *c, const unsigned char *p) {
  if (!c->fast || nlat >= MAXLAT) return;
  lat[nlat++] = now_ms() - strtod((const char *)p, NULL);
}

static void on_ws_payload(struct conn *c, unsigned char *p, size_t len) {
  (void)len;
  c->count++;
  stamp(c, p);
}

/* A Parley frame: a JSON array of events; count msg events, read each one's text for the time. */
static void on_parley_payload(struct conn *c, unsigned char *p, size_t len) {
  const char *needle = "\"t\":\"msg\"";
  unsigned char *end = p + len, *q = p;
  while ((q = memmem(q, (size_t)(end - q), needle, 9)) != NULL) {
    c->count++;
    q += 9;
    if (c->fast) {
      unsigned char *t = memmem(q, (size_t)(end - q), "\"text\":\"", 8);
      if (t) stamp(c, t + 8);
    }
  }
}

static void parse_ws(struct conn *c) {
  ws_frames(c, proto == P_PARLEY ? on_parley_payload : on_ws_payload);
}

static void parse_mqtt(struct conn *c) {
  static unsigned char acks[BUF / 4];
  size_t nacks = 0, i = 0;
  for (;;) {
    if (c->len - i < 2) break;
    unsigned char *f = c->buf + i;
    size_t rem = 0, mul = 1, k = 1;
    int ok = 0;
    for (; k < 5 && i + k < c->len; k++) {
      rem += (size_t)(f[k] & 127) * mul;
      mul *= 128;
      if (!(f[k] & 128)) { ok = 1; k++; break; }
    }
    if (!ok || c->len - i < k + rem) break;
    if ((f[0] >> 4) == 3) { /* PUBLISH */
      unsigned char *v = f + k;
      size_t tl = ((size_t)v[0] << 8) | v[1];
      unsigned char *after = v + 2 + tl;
      int qos = (f[0] >> 1) & 3;
      if (qos) {
        acks[nacks++] = 0x40; acks[nacks++] = 2; acks[nacks++] = after[0]; acks[nacks++] = after[1];
        after += 2;
      }
      c->count++;
      stamp(c, after);
    }
    i += k + rem;
  }
  c->len -= i;
  memmove(c->buf, c->buf + i, c->len);
  if (nacks) write_all(c->fd, acks, nacks);
}

static void parse_irc(struct conn *c) {
  unsigned char *start = c->buf, *end = c->buf + c->len, *nl;
  while ((nl = memchr(start, '\n', (size_t)(end - start))) != NULL) {
    unsigned char *m = memmem(start, (size_t)(nl - start), " PRIVMSG #bench :", 17);
    if (m) {
      c->count++;
      stamp(c, m + 17);
    } else if ((size_t)(nl - start) > 5 && memcmp(start, "PING ", 5) == 0) {
      char pong[160];
      int n = snprintf(pong, sizeof pong, "PONG %.*s\n", (int)(nl - start - 5 > 120 ? 120 : nl - start - 5), start + 5);
      write_all(c->fd, pong, (size_t)n);
    }
    start = nl + 1;
  }
  c->len = (size_t)(end - start);
  memmove(c->buf, start, c->len);
}

static void parse(struct conn *c) {
  if (proto == P_PARLEY || proto == P_WS) parse_ws(c);
  else if (proto == P_IRC) parse_irc(c);
  else parse_mqtt(c);
}

/* Reads everything available (non-blocking) and parses it. */
static void drain(struct conn *c) {
  if (c->fd < 0) return;
  for (;;) {
    if (c->len >= BUF - 65536) { fprintf(stderr, "loadgen: receive buffer full\n"); exit(1); }
    ssize_t r = read(c->fd, c->buf + c->len, BUF - c->len);
    if (r > 0) {
      c->len += (size_t)r;
      parse(c);
      continue;
    }
    if (r == 0 || (r < 0 && errno == ECONNRESET)) {
      close(c->fd);
      c->fd = -1;
      closed++;
      return;
    }
    if (errno == EAGAIN || errno == EINTR) return;
    die("read");
  }
}

/* ---- handshakes ---- */

/* #general's id, from the publisher's welcome */
static char parley_conv[80];

/* base64url without padding of n bytes into out (room for 4 * ceil(n / 3) + 1) */
static void b64url(const unsigned char *in, size_t n, char *out) {
  static const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16;
    if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
    if (i + 2 < n) v |= in[i + 2];
    out[o++] = abc[(v >> 18) & 63];
    out[o++] = abc[(v >> 12) & 63];
    if (i + 1 < n) out[o++] = abc[(v >> 6) & 63];
    if (i + 2 < n) out[o++] = abc[v & 63];
  }
  out[o] = 0;
}

static void crypto_die(const char *what) {
  fprintf(stderr, "loadgen: %s failed (OpenSSL)\n", what);
  exit(1);
}

static EVP_PKEY *new_key(void) {
  EVP_PKEY *k = NULL;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
  if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, &k) <= 0) crypto_die("Ed25519 key generation");
  EVP_PKEY_CTX_free(ctx);
  return k;
}

/* Blocks until c->buf holds one complete server frame; copies its payload (NUL-terminated) to
   out and removes the frame from c->buf (handshakes only). */
static size_t ws_read_frame(struct conn *c, char *out, size_t cap) {
  double end = now_ms() + 15000;
  for (;;) {
    if (c->len >= 2) {
      size_t len = c->buf[1] & 127, h = 2;
      if (len == 126 && c->len >= 4) { len = ((size_t)c->buf[2] << 8) | c->buf[3]; h = 4; }
      else if (len == 126 || len == 127) h = 0; /* incomplete header, or a frame far larger than any handshake's */
      if (h && c->len >= h + len) {
        if (len >= cap) { fprintf(stderr, "loadgen: handshake frame of %zu bytes\n", len); exit(1); }
        memcpy(out, c->buf + h, len);
        out[len] = 0;
        c->len -= h + len;
        memmove(c->buf, c->buf + h + len, c->len);
        return len;
      }
    }
    if (now_ms() > end) { fprintf(stderr, "loadgen: timed out waiting for a frame\n"); exit(1); }
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    if (poll(&pfd, 1, 1000) == 0) continue;
    ssize_t r = read(c->fd, c->buf + c->len, BUF - c->len - 1);
    if (r <= 0) { fprintf(stderr, "loadgen: connection closed while waiting for the challenge\n"); exit(1); }
    c->len += (size_t)r;
  }
}

static void parley_join(struct conn *c, const char *name) {
  ws_upgrade(c);
  /* 1. the challenge: [{"t":"challenge","v":2,"nonce":"…"(,"legacy":true)}] */
  char frame[1024];
  ws_read_frame(c, frame, sizeof frame);
  char *nv = strstr(frame, "\"nonce\":\"");
  if (!strstr(frame, "\"t\":\"challenge\"") || !nv) { fprintf(stderr, "loadgen: the relay's first frame is not a challenge: %.200s\n", frame); exit(1); }
  nv += 9;
  char nonce[128];
  size_t nl = 0;
  for (; nv[nl] && nv[nl] != '"' && nl < sizeof nonce - 1; nl++) {
    char ch = nv[nl];
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) { fprintf(stderr, "loadgen: nonce is not base64url: %.200s\n", frame); exit(1); }
    nonce[nl] = ch;
  }
  if (nv[nl] != '"') { fprintf(stderr, "loadgen: bad nonce in %.200s\n", frame); exit(1); }
  nonce[nl] = 0;
  /* 2. the hello, signed over ["parley-hello",2,nonce,relay,"",name,key,"",""] (JSON.stringify's
     bytes; the names and the key and nonce need no escaping) */
  unsigned char raw[32];
  size_t rl = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(c->key, raw, &rl) <= 0 || rl != 32) crypto_die("reading the public key");
  char key[48];
  b64url(raw, 32, key);
  char relay[64];
  snprintf(relay, sizeof relay, "ws://127.0.0.1:%d", port);
  char payload[512];
  int pl = snprintf(payload, sizeof payload, "[\"parley-hello\",2,\"%s\",\"%s\",\"\",\"%s\",\"%s\",\"\",\"\"]", nonce, relay, name, key);
  unsigned char sig[64];
  size_t sl = sizeof sig;
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  if (!md || EVP_DigestSignInit(md, NULL, NULL, NULL, c->key) <= 0 || EVP_DigestSign(md, sig, &sl, (const unsigned char *)payload, (size_t)pl) <= 0 || sl != 64) crypto_die("Ed25519 signing");
  EVP_MD_CTX_free(md);
  char sigtext[96];
  b64url(sig, 64, sigtext);
  char hello[700];
  snprintf(hello, sizeof hello, "{\"t\":\"hello\",\"v\":2,\"name\":\"%s\",\"key\":\"%s\",\"sig\":\"%s\",\"relay\":\"%s\",\"client\":\"parley-bench-c\"}", name, key, sigtext, relay);
  ws_send(c, hello);
  read_until(c, "\"t\":\"welcome\"");
  read_until(c, "\"limits\"");
  /* "id":"r…","kind":"room","name":"general",…,"head":N */
  const char *gn = "\"kind\":\"room\",\"name\":\"general\"";
  unsigned char *g = memmem(c->buf, c->len, gn, strlen(gn));
  if (!g) { fprintf(stderr, "loadgen: no #general in the welcome\n"); exit(1); }
  unsigned char *id = g;
  while (id > c->buf && memcmp(id, "\"id\":\"", 6) != 0) id--;
  char conv[80];
  int cl = 0;
  for (unsigned char *p = id + 6; *p != '"' && cl < 70; p++) conv[cl++] = (char)*p;
  conv[cl] = 0;
  unsigned char *h = memmem(g, c->len - (size_t)(g - c->buf), "\"head\":", 7);
  long head = strtol((char *)h + 7, NULL, 10);
  char sync[200];
  snprintf(sync, sizeof sync, "{\"t\":\"sync\",\"rid\":\"s\",\"cursors\":{\"%s\":%ld}}", conv, head);
  ws_send(c, sync);
  read_until(c, "\"t\":\"synced\"");
  c->len = 0;
  strcpy(parley_conv, conv);
}

static void mqtt_connect(struct conn *c, const char *id, int sub_qos) {
  unsigned char p[128];
  size_t il = strlen(id), n = 0;
  p[n++] = 0x10; p[n++] = (unsigned char)(10 + 2 + il);
  p[n++] = 0; p[n++] = 4; memcpy(p + n, "MQTT", 4); n += 4;
  p[n++] = 4; p[n++] = 2; /* clean session */ p[n++] = 0x02; p[n++] = 0x58; /* keepalive 600 */
  p[n++] = 0; p[n++] = (unsigned char)il; memcpy(p + n, id, il); n += il;
  write_all(c->fd, p, n);
  while (c->len < 4) { ssize_t r = read(c->fd, c->buf + c->len, 4 - c->len); if (r <= 0) die("connack"); c->len += (size_t)r; }
  c->len = 0;
  if (sub_qos < 0) return;
  n = 0;
  p[n++] = 0x82; p[n++] = 2 + 2 + 5 + 1; p[n++] = 0; p[n++] = 1; p[n++] = 0; p[n++] = 5; memcpy(p + n, "bench", 5); n += 5; p[n++] = (unsigned char)sub_qos;
  write_all(c->fd, p, n);
  while (c->len < 5) { ssize_t r = read(c->fd, c->buf + c->len, 5 - c->len); if (r <= 0) die("suback"); c->len += (size_t)r; }
  c->len = 0;
}

static void irc_join(struct conn *c, const char *nick, int oper) {
  char s[256];
  int n = snprintf(s, sizeof s, "NICK %s\r\nUSER %s 0 * :%s\r\n", nick, nick, nick);
  write_all(c->fd, s, (size_t)n);
  read_until(c, " 001 ");
  if (oper) {
    n = snprintf(s, sizeof s, "OPER bench bench\r\nMODE %s +F\r\n", nick);
    write_all(c->fd, s, (size_t)n);
  }
  write_all(c->fd, "JOIN #bench\r\n", 13);
  read_until(c, " 366 ");
  c->len = 0;
}

static void setup(struct conn *c, const char *name, int is_pub) {
  c->fd = dial();
  c->buf = malloc(BUF);
  if (!c->buf) die("malloc");
  c->len = 0;
  switch (proto) {
    case P_PARLEY:
      parley_join(c, name);
      break;
    case P_WS:
      ws_upgrade(c);
      if (is_pub) {
        ws_send(c, "pub");
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
      }
      break;
    case P_MQTT0:
    case P_MQTT1:
      mqtt_connect(c, name, is_pub ? -1 : (proto == P_MQTT1 ? 1 : 0));
      break;
    case P_IRC:
      irc_join(c, name, is_pub);
      break;
  }
  fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
}

/* Appends one message (200-byte payload starting with the send time) to out. */
static size_t message(unsigned char *out, long seq) {
  char payload[PAYLOAD + 1];
  int h = snprintf(payload, sizeof payload, "%.3f ", now_ms());
  memset(payload + h, 'x', (size_t)(PAYLOAD - h));
  payload[PAYLOAD] = 0;
  switch (proto) {
    case P_PARLEY: {
      char json[400];
      int n = snprintf(json, sizeof json, "{\"t\":\"send\",\"conv\":\"%s\",\"body\":{\"kind\":\"text\",\"text\":\"%s\"},\"id\":\"%s%09ld\"}", parley_conv, payload, tag, seq);
      return ws_frame(out, json, (size_t)n);
    }
    case P_WS:
      return ws_frame(out, payload, PAYLOAD);
    case P_MQTT0:
    case P_MQTT1: {
      size_t n = 0, rem = 2 + 5 + (proto == P_MQTT1 ? 2 : 0) + PAYLOAD;
      out[n++] = proto == P_MQTT1 ? 0x32 : 0x30;
      out[n++] = (unsigned char)(0x80 | (rem & 127));
      out[n++] = (unsigned char)(rem >> 7);
      out[n++] = 0; out[n++] = 5; memcpy(out + n, "bench", 5); n += 5;
      if (proto == P_MQTT1) { long id = seq % 65535 + 1; out[n++] = (unsigned char)(id >> 8); out[n++] = (unsigned char)(id & 255); }
      memcpy(out + n, payload, PAYLOAD);
      return n + PAYLOAD;
    }
    case P_IRC: {
      int n = sprintf((char *)out, "PRIVMSG #bench :%s\r\n", payload);
      return (size_t)n;
    }
  }
  return 0;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(double p) {
  if (nlat == 0) return -1;
  long i = (long)(p / 100 * (double)nlat);
  if (i >= nlat) i = nlat - 1;
  return lat[i];
}

static double cpu_ms(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec * 1e3 + u.ru_utime.tv_usec / 1e3 + u.ru_stime.tv_sec * 1e3 + u.ru_stime.tv_usec / 1e3;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: loadgen <parley|ws|mqtt0|mqtt1|irc> <port> <receivers> <seconds> <rate>[,<rate>...]\n");
    return 2;
  }
  const char *pn = argv[1];
  proto = !strcmp(pn, "parley") ? P_PARLEY : !strcmp(pn, "ws") ? P_WS : !strcmp(pn, "mqtt0") ? P_MQTT0 : !strcmp(pn, "mqtt1") ? P_MQTT1 : P_IRC;
  port = atoi(argv[2]);
  nrx = atoi(argv[3]);
  double step_ms = atof(argv[4]) * 1000;
  signal(SIGPIPE, SIG_IGN);
  srand((unsigned)(getpid() ^ (unsigned)now_ms()));
  /* a letter first: IRC nicks may not start with a digit (and ngircd allows 9 characters) */
  snprintf(tag, sizeof tag, "b%04x", rand() & 0xffff);
  lat = malloc(sizeof(double) * MAXLAT);
  rx = calloc((size_t)nrx, sizeof *rx);
  if (proto == P_PARLEY) {
    /* every member's key, before any connection (and long before the timed steps) */
    for (int i = 0; i < nrx; i++) rx[i].key = new_key();
    pub.key = new_key();
  }
  char name[64];
  for (int i = 0; i < nrx; i++) {
    snprintf(name, sizeof name, "%sr%d", tag, i);
    rx[i].fast = i < FAST;
    setup(&rx[i], name, 0);
    /* Keep reading the ones already joined (member and presence events, pings to answer):
       joining hundreds takes a while, and a connection that does not answer pings is dropped. */
    if (i % 16 == 15)
      for (int j = 0; j <= i; j++) drain(&rx[j]);
  }
  for (int i = 0; i < nrx; i++) {
    drain(&rx[i]);
    rx[i].count = 0;
  }
  snprintf(name, sizeof name, "%spub", tag);
  setup(&pub, name, 1);
  printf("{\"ready\":true}\n");
  fflush(stdout);

  int ep = epoll_create1(0);
  for (int i = 0; i < nrx; i++) {
    if (!rx[i].fast) continue;
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = &rx[i]};
    epoll_ctl(ep, EPOLL_CTL_ADD, rx[i].fd, &e);
  }
  struct epoll_event pe = {.events = EPOLLIN, .data.ptr = &pub};
  epoll_ctl(ep, EPOLL_CTL_ADD, pub.fd, &pe);
  static unsigned char out[1 << 22];
  long seq = 0;

  for (char *r = strtok(argv[5], ","); r; r = strtok(NULL, ",")) {
    double rate = atof(r);
    for (int i = 0; i < nrx; i++) rx[i].count = 0;
    nlat = 0;
    double c0 = cpu_ms(), t0 = now_ms(), next_slow = t0 + 5, c_sent = 0, t_sent = step_ms;
    long sent = 0, total = (long)(rate * step_ms / 1000);
    int sending = 1;
    double drain_end = 0;
    for (;;) {
      double t = now_ms();
      if (sending) {
        long due = (long)(rate * (t - t0) / 1000);
        if (due > total) due = total;
        size_t n = 0;
        while (sent < due) {
          n += message(out + n, seq++);
          sent++;
          if (n > sizeof out - 1024) { if (write_all(pub.fd, out, n) < 0) pub_closed = 1; n = 0; }
        }
        if (n && !pub_closed && write_all(pub.fd, out, n) < 0) pub_closed = 1;
        if (pub_closed) { sending = 0; drain_end = t + 3000; c_sent = cpu_ms() - c0; t_sent = t - t0; }
        if (t - t0 >= step_ms) { sending = 0; drain_end = t + 3000; c_sent = cpu_ms() - c0; t_sent = t - t0; }
      }
      if (t >= next_slow) {
        for (int i = 0; i < nrx; i++) if (!rx[i].fast) drain(&rx[i]);
        next_slow += 5;
        if (next_slow < t) next_slow = t + 5;
      }
      if (!sending) {
        int done = 1;
        for (int i = 0; i < nrx; i++) if (rx[i].fd >= 0 && rx[i].count < sent) { done = 0; break; }
        if (done || t > drain_end) break;
      }
      struct epoll_event ev[32];
      int wait = (int)(next_slow - now_ms());
      if (wait < 0) wait = 0;
      if (wait > 1) wait = 1;
      int k = epoll_wait(ep, ev, 32, wait);
      for (int j = 0; j < k; j++) {
        struct conn *c = ev[j].data.ptr;
        if (c == &pub) {
          /* acks and other replies to the publisher: read and drop */
          char sink[65536];
          while (read(pub.fd, sink, sizeof sink) > 0) {}
        } else drain(c);
      }
    }
    /* generator CPU while sending (the drain afterwards is mostly waiting) */
    double cpu = c_sent;
    long received = 0;
    for (int i = 0; i < nrx; i++) received += rx[i].count;
    qsort(lat, (size_t)nlat, sizeof(double), cmp);
    printf("{\"rate\":%.3f,\"sent\":%ld,\"expected\":%ld,\"received\":%ld,\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f,\"genCpu\":%.1f,\"closed\":%d}\n", rate, sent, sent * nrx, received, pct(50), pct(99),
           nlat ? lat[nlat - 1] : -1.0, cpu / t_sent * 100, closed + pub_closed);
    fflush(stdout);
    if (closed || pub_closed) return 0; /* the server cut connections off: later steps would mean nothing */
    struct timespec ts = {0, 300000000};
    nanosleep(&ts, NULL);
    /* discard what is left over from a failed step */
    for (int i = 0; i < nrx; i++) drain(&rx[i]);
  }
  return 0;
}

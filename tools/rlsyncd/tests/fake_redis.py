#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A Redis that answers the handshake properly and EVALSHA with hostile reply N.

usage: fake_redis.py PORT READYFILE; serves until killed.  The reply to
send is read from READYFILE's directory, file "case", at each EVALSHA.
"""
import os
import socket
import sys

SHA = b"0" * 40
HOSTILE = {
    "string": b"$5\r\nhello\r\n",
    "shape": b"*3\r\n:1\r\n:1\r\n:2\r\n",
    "index0": b"*4\r\n:1\r\n:0\r\n:5\r\n:5\r\n",
    "index2": b"*4\r\n:1\r\n:2\r\n:5\r\n:5\r\n",
    "negative": b"*4\r\n:1\r\n:1\r\n:-5\r\n:5\r\n",
    "share": b"*4\r\n:1\r\n:1\r\n:5\r\n:1000001\r\n",
    "twice": b"*7\r\n:1\r\n:1\r\n:5\r\n:5\r\n:1\r\n:5\r\n:5\r\n",
    "nested": b"*4\r\n:1\r\n*1\r\n:1\r\n:5\r\n:5\r\n",
    "huge-array": b"*100000000\r\n",
    "huge-string": b"$1048576\r\n" + b"x" * 1048576 + b"\r\n",
    "error": b"-ERR something\r\n",
    "garbage": b"!!!! not resp\r\n",
    "close": b"",
}


def read_command(f):
    line = f.readline()
    if not line.startswith(b"*"):
        return None
    args = []
    for _ in range(int(line[1:])):
        n = int(f.readline()[1:])
        args.append(f.read(n + 2)[:-2])
    return args


def serve(conn, casefile):
    f = conn.makefile("rb")
    while True:
        cmd = read_command(f)
        if not cmd:
            return
        name = cmd[0].upper()
        if name == b"ROLE":
            conn.sendall(b"*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n")
        elif name == b"AUTH":
            conn.sendall(b"+OK\r\n")
        elif name == b"SCRIPT":
            conn.sendall(b"$40\r\n" + SHA + b"\r\n")
        elif name == b"EVALSHA":
            with open(casefile) as c:
                reply = HOSTILE[c.read().strip()]
            if not reply:
                return
            conn.sendall(reply)
        else:
            conn.sendall(b"-ERR unknown\r\n")


def main():
    port, ready = int(sys.argv[1]), sys.argv[2]
    casefile = os.path.join(os.path.dirname(ready), "case")
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(4)
    open(ready, "w").close()
    while True:
        conn, _ = s.accept()
        try:
            serve(conn, casefile)
        except (OSError, ValueError):
            pass
        conn.close()


main()

#!/bin/sh
# ZooKeeper health check: healthy once the server serves requests (srvr reports a mode, standalone or leader/follower).
echo srvr | nc -w 3 127.0.0.1 2181 | grep -q '^Mode: '

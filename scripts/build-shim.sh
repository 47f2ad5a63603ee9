#!/bin/sh
# Builds the CNI plugin executable: a small C program that hands each CNI request to the node agent
# (a Node.js process is ~100 ms to start; the shim is ~1 ms). See src/cni/shim/README.md.
set -e
mkdir -p dist/cni-bin
cc -O2 -Wall -Wextra -o dist/cni-bin/podnet.tmp src/cni/shim/podnet-cni.c
mv dist/cni-bin/podnet.tmp dist/cni-bin/podnet

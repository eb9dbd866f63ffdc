#!/usr/bin/env python3
"""Interleaved A/B timing of whole commands, like bench/compare.mjs, with CPU time at µs resolution.

    python3 bench/compare-rusage.py RUNS 'label=command' 'label=command' ...

Each command runs through `sh -c` (output to /dev/null) once as a warm-up, then RUNS rounds; each
round runs every command once, in an order rotated from round to round. A run's CPU time is the
change in getrusage(RUSAGE_CHILDREN) user + system time across it (the process tree, all threads),
which /usr/bin/time reports only to 10 ms. Exit 0 or 1 (findings) is success; anything else stops.
"""
import resource
import statistics
import subprocess
import sys
import time


def once(command):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    code = subprocess.run(['sh', '-c', f'{command} >/dev/null 2>&1']).returncode
    wall = (time.perf_counter() - t0) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code not in (0, 1):
        sys.exit(f'{command}: exited {code}')
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit() or any('=' not in a for a in sys.argv[2:]):
        sys.exit("usage: python3 bench/compare-rusage.py RUNS 'label=command' ...")
    runs = int(sys.argv[1])
    cases = [tuple(a.split('=', 1)) for a in sys.argv[2:]]
    samples = {label: ([], []) for label, _ in cases}
    for _, command in cases:
        once(command)
    for r in range(runs):
        for label, command in cases[r % len(cases):] + cases[:r % len(cases)]:
            wall, cpu = once(command)
            samples[label][0].append(wall)
            samples[label][1].append(cpu)
    print(f'{runs} interleaved rounds\n')
    print('| case | median wall (ms) | min wall (ms) | median CPU (ms) | min CPU (ms) |')
    print('|---|---:|---:|---:|---:|')
    for label, _ in cases:
        wall, cpu = samples[label]
        print(f'| {label} | {statistics.median(wall):.1f} | {min(wall):.1f} | {statistics.median(cpu):.1f} | {min(cpu):.1f} |')


if __name__ == '__main__':
    main()

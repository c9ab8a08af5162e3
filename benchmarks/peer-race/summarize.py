"""Summarises an interleaved peer race: ours.jsonl and peer.jsonl hold one JSON object per round (ours, then the
peer, then ours again, ...). For each timing it prints the median over the rounds with the min-max spread for both
sides, the ratio of the medians, and the spread of the per-round ratios (each round pairs runs made seconds apart).

    python3 summarize.py OURS.jsonl PEER.jsonl "label|ours_key|peer_key" ...
"""
import json
import statistics
import sys


def rows(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    ours, peer = rows(sys.argv[1]), rows(sys.argv[2])
    if not ours or len(ours) != len(peer):
        sys.exit(f"summarize.py: {len(ours)} rounds of ours and {len(peer)} of the peer's; expected the same number, at least 1")
    print(f"{len(ours)} interleaved rounds; median (min-max) seconds")
    print("| operation | ours | peer | ours / peer (median) | per-round ratio min-max |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for spec in sys.argv[3:]:
        label, ok, pk = spec.split("|")
        a = [r[ok] for r in ours]
        b = [r[pk] for r in peer]
        ratios = sorted(x / y for x, y in zip(a, b))
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"| {label} | {ma:.4g} ({min(a):.4g}-{max(a):.4g}) | {mb:.4g} ({min(b):.4g}-{max(b):.4g}) | {ma / mb:.2f} | {ratios[0]:.2f}-{ratios[-1]:.2f} |")


if __name__ == "__main__":
    main()

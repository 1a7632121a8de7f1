"""Reads /input/data.csv, writes /output/result.json, prints what it wrote."""
import csv
import json
from jobs.outcome import report


def run():
    with open("/input/data.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    result = {"rows": len(rows), "total": sum(int(r["value"]) for r in rows)}
    with open("/output/result.json", "w") as f:
        json.dump(result, f)
    with open("/output/result.json") as f:
        return f.read()


report("data", run)

"""Parses a Prometheus text exposition with Prometheus's own Python parser (Debian's
python3-prometheus-client) and prints its samples as JSON: [{"family", "type", "name",
"labels", "value"}]. Exits non-zero if the text does not parse.

Usage: parse_metrics.py < exposition.txt
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        samples.append(
            {
                "family": family.name,
                "type": family.type,
                "name": sample.name,
                "labels": sample.labels,
                "value": sample.value,
            }
        )
json.dump(samples, sys.stdout)

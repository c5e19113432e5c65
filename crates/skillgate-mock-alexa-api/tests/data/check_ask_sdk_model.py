"""Deserializes JSON samples with Amazon's ask-sdk-model and checks nothing is lost.

Input: a JSON file holding [{"type": "<ask_sdk_model.services type>", "body": "<json text>"}].
For each sample: deserialize with ask-sdk-core's DefaultSerializer into the named model,
serialize it back, and compare with the original (every key and value must survive; date-time
strings compare as instants). Exits 1 listing every loss.
"""
import json
import sys

from dateutil import parser as dateparser
from ask_sdk_core.serialize import DefaultSerializer
import ask_sdk_model.services.reminder_management.spoken_info as _spoken_info

# ask-sdk-model 1.82.0 names the type of AlertInfo.spokenInfo
# "reminder_management.alert_info_spoken_info.SpokenInfo", a module it does not ship (its
# SpokenInfo lives in reminder_management.spoken_info), so no reminder with alertInfo
# deserializes as published. Alias the module to the class it means.
sys.modules["ask_sdk_model.services.reminder_management.alert_info_spoken_info"] = _spoken_info


def same(original, back, path, losses):
    if isinstance(original, dict):
        if not isinstance(back, dict):
            losses.append(f"{path}: object became {back!r}")
            return
        for key, value in original.items():
            if value is None:
                continue
            if key not in back or back[key] is None:
                losses.append(f"{path}.{key}: dropped")
            else:
                same(value, back[key], f"{path}.{key}", losses)
    elif isinstance(original, list):
        if not isinstance(back, list) or len(back) != len(original):
            losses.append(f"{path}: list became {back!r}")
            return
        for i, (a, b) in enumerate(zip(original, back)):
            same(a, b, f"{path}[{i}]", losses)
    elif original != back:
        if isinstance(original, str) and isinstance(back, str):
            try:
                if dateparser.isoparse(original) == dateparser.isoparse(back):
                    return
            except (ValueError, OverflowError):
                pass
        losses.append(f"{path}: {original!r} became {back!r}")


def main():
    samples = json.load(open(sys.argv[1]))
    serializer = DefaultSerializer()
    losses = []
    for sample in samples:
        kind = sample["type"]
        full = kind if kind in ("str", "bool") else "ask_sdk_model.services." + kind
        try:
            obj = serializer.deserialize(sample["body"], full)
        except Exception as error:  # the serializer raises several kinds
            losses.append(f"{kind}: does not deserialize: {error}")
            continue
        if obj is None:
            losses.append(f"{kind}: did not deserialize")
            continue
        if kind not in ("str", "bool") and type(obj).__name__ != kind.rsplit(".", 1)[-1]:
            losses.append(f"{kind}: became {type(obj).__name__}")
        back = serializer.serialize(obj)
        same(json.loads(sample["body"]), back, kind, losses)
    for loss in losses:
        print("LOSS", loss)
    print(f"{len(samples)} samples, {len(losses)} losses")
    sys.exit(1 if losses else 0)


main()

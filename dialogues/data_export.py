"""/mydata and /export <label>: the words around a patient's two data files (a readable JSON
file and a FHIR Bundle, bot/care/export/). Stateless, so no diagram. Pure."""

from __future__ import annotations

from html import escape

from dialogues.types import Outcome, Reply

File = tuple[str, str]  # (file name, its text)


def own_copy(readable: File, fhir: File, t) -> Outcome:
    """The patient's copy: what it holds and how to keep it, then the two files."""
    intro = t("export.mydata.intro", json_name=escape(readable[0]), fhir_name=escape(fhir[0]))
    return Outcome(
        replies=(
            Reply(intro),
            Reply(t("export.mydata.caption_json"), document=readable),
            Reply(t("export.mydata.caption_fhir"), document=fhir),
        )
    )


def staff_export(label: str, readable: File, fhir: File, t) -> Outcome:
    """The staff export: whose data, that it is logged, then the two files."""
    name = escape(label)
    intro = t(
        "export.staff.intro", label=name, json_name=escape(readable[0]), fhir_name=escape(fhir[0])
    )
    return Outcome(
        replies=(
            Reply(intro),
            Reply(t("export.staff.caption_json", label=name), document=readable),
            Reply(t("export.staff.caption_fhir", label=name), document=fhir),
        )
    )

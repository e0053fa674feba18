"""Every finding code procflow reports about a procedure file, in one table.

Codes are stable: tests, editors and CI scripts match on them, so a code is
never renamed or reused for something else. The table feeds the
documentation (docs/procedure-language.md, "Finding codes") and a test that
checks every code the loader and the checks emit is listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from procflow.findings import Severity

__all__ = ["CODES", "CodeInfo"]


@dataclass(frozen=True, slots=True)
class CodeInfo:
    severity: Severity
    meaning: str
    fix: str


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

CODES: dict[str, CodeInfo] = {
    # --- reading the file (procflow.definition.yamlio) ------------------------
    "file-unreadable": CodeInfo(E, "The file cannot be opened.", "Check the path and permissions."),
    "file-too-large": CodeInfo(E, "The file is over 1 MiB.", "Check that it is a procedure file."),
    "yaml-encoding": CodeInfo(E, "The file is not UTF-8.", "Save it as UTF-8."),
    "yaml-syntax": CodeInfo(E, "The text is not valid YAML.", "Fix indentation or punctuation."),
    "yaml-multiple-documents": CodeInfo(
        E, "More than one YAML document ('---').", "One procedure version per file."
    ),
    "yaml-alias": CodeInfo(E, "An alias (*name) is used.", "Write the value out in full."),
    "yaml-tag": CodeInfo(E, "A tag such as !!python/object is used.", "Remove the tag."),
    "yaml-too-deep": CodeInfo(E, "Nesting deeper than 64 levels.", "Check the indentation."),
    "yaml-complex-key": CodeInfo(E, "A key is a list or mapping.", "Keys are plain words."),
    "duplicate-key": CodeInfo(E, "The same key twice in one mapping.", "Keep one of them."),
    "not-a-procedure": CodeInfo(
        E, "The file is empty or not a mapping of keys.", "Start from a sample procedure."
    ),
    "too-many-findings": CodeInfo(
        INFO,
        "More findings than the cap (200 by default); the rest are counted by kind.",
        "Fix the findings shown and validate again.",
    ),
    # --- the language's models (procflow.definition.loader, from pydantic) ----
    "missing-key": CodeInfo(E, "A required key is missing.", "Add the key."),
    "unknown-key": CodeInfo(E, "A key the language does not know.", "Fix the spelling or remove."),
    "invalid-choice": CodeInfo(E, "A value outside the allowed set.", "Use one of the listed."),
    "invalid-id": CodeInfo(E, "An id with forbidden characters.", "Use a-z, 0-9, '-' and '_'."),
    "wrong-type": CodeInfo(E, "A value of the wrong type.", "See the expected form."),
    "invalid-value": CodeInfo(E, "A value that breaks a rule.", "See the message."),
    # --- whole-procedure checks (procflow.checks.rules) -----------------------
    "duplicate-step": CodeInfo(E, "Two steps share an id.", "Rename one."),
    "duplicate-agency": CodeInfo(E, "Two agencies share an id.", "Rename or merge them."),
    "reserved-step-id": CodeInfo(
        E, "A step is named like an end (returned, refused, withdrawn, stopped).", "Rename it."
    ),
    "trigger-reserved": CodeInfo(
        E,
        "A trigger is named like one the engine adds to every step (withdraw, stop).",
        "Rename the trigger.",
    ),
    "unknown-agency": CodeInfo(E, "A step names an agency not declared.", "Declare or fix it."),
    "unknown-step": CodeInfo(E, "An outcome or start names no step.", "Fix the step id."),
    "unreachable-step": CodeInfo(E, "No path from the start leads here.", "Link or remove it."),
    "no-outcomes": CodeInfo(E, "A step has no outcomes: dossiers stay forever.", "Add outcomes."),
    "no-way-out": CodeInfo(E, "From this step no end can be reached.", "Add a way to an end."),
    "returned-unreachable": CodeInfo(
        E, "No path leads to 'returned': no result is ever given.", "Link a step to returned."
    ),
    "illegal-cycle": CodeInfo(
        E, "A loop that does not pass through an applicant step.", "Break the loop."
    ),
    "handoff-no-target": CodeInfo(E, "A hand-off step without to_agency.", "Add to_agency."),
    "handoff-same-agency": CodeInfo(
        E, "A hand-off to the agency that already holds the dossier.", "Fix to_agency."
    ),
    "handoff-wrong-next": CodeInfo(
        E, "After a hand-off the next step is not held by to_agency.", "Fix agency or target."
    ),
    "clock-on-agency-step": CodeInfo(
        E, "clock pause/restart on a step that is not an applicant step.", "Remove clock."
    ),
    "time-overrun": CodeInfo(
        E, "Step times along the critical path exceed the statutory total.", "Shorten steps."
    ),
    "share-overrun": CodeInfo(E, "Agency shares add up to more than the total.", "Fix shares."),
    "unit-mismatch": CodeInfo(
        E, "A time in a kind of day that cannot be added to the total.", "Use the total's unit."
    ),
    "missing-legal-basis": CodeInfo(E, "No legal_basis documents.", "List the legal texts."),
    "to-agency-not-handoff": CodeInfo(
        W, "to_agency on a step that is not a hand-off.", "Use kind: handoff or drop it."
    ),
    "step-no-time": CodeInfo(W, "An agency step has no time allotted.", "Add time:."),
    "no-desk": CodeInfo(W, "No agency is marked desk: true.", "Mark the one-stop desk."),
    "multiple-desks": CodeInfo(W, "Several agencies are marked desk: true.", "Keep one."),
    "desk-step-elsewhere": CodeInfo(
        W, "A reception or return step not held by the desk agency.", "Check the agency."
    ),
    "applicant-clock-run": CodeInfo(
        W, "An applicant step keeps the clock running.", "Use pause (the default) if meant."
    ),
    "shadowed-branch": CodeInfo(
        W, "A branch after an unconditional one is never taken.", "Reorder the branches."
    ),
    "agency-share-overrun": CodeInfo(
        W, "An agency's steps on the critical path exceed its share.", "Fix times or share."
    ),
    "unused-agency": CodeInfo(W, "An agency holds no step.", "Remove it or assign steps."),
    # --- alerts: warnings and escalation (procflow.checks.rules) ----------------
    "escalation-unknown-step": CodeInfo(
        E, "An escalation rule names a step that does not exist.", "Use a step id."
    ),
    "escalation-unknown-role": CodeInfo(
        E,
        "An escalation rule names a role no step or authority rule uses.",
        "Use a role the procedure names (a step's role, rules.authority), e.g. leader.",
    ),
    "escalation-unknown-move": CodeInfo(
        E,
        "An escalation rule fires a move that its steps do not have.",
        "Name a trigger of every step the rule acts in, or limit the rule with steps:.",
    ),
    "escalation-loop": CodeInfo(
        E,
        "Escalation moves lead back to a step they leave: a dossier could be moved "
        "round for ever by the sweep.",
        "Fire moves that lead forward (e.g. into an apology step without a rule of its own).",
    ),
    "warning-without-deadline": CodeInfo(
        W, "A step has a warning margin but no time allotted.", "Add time: or drop warning:."
    ),
    "no-default-branch": CodeInfo(
        INFO, "Every branch of a trigger is conditional.", "Add a last unconditional branch."
    ),
    # --- documents and fees at reception (procflow.checks.rules) ------------------
    "duplicate-document": CodeInfo(
        E,
        "Two documents have the same id (written, or derived from the same name).",
        "Give one of them its own id:, e.g. id: giay-to-cho-o-thue.",
    ),
    # --- durations chosen by facts (procflow.checks.rules) ------------------------
    "case-no-condition": CodeInfo(
        E,
        "A case of a duration names no fact (neither when: nor unless:).",
        "Name the fact it depends on, e.g. when: needs_verification; the figure for "
        "every other dossier is the duration's own value.",
    ),
    "case-contradictory": CodeInfo(
        E,
        "A case of a duration has when: and unless: on the same fact: it never applies.",
        "Keep one of the two.",
    ),
    "case-shadowed": CodeInfo(
        W,
        "A case of a duration has the same condition as an earlier one: it is never chosen.",
        "Remove it, or give it the condition meant.",
    ),
    "contradictory-condition": CodeInfo(
        E,
        "A document or fee has when: and unless: on the same fact: it never applies.",
        "Keep one of the two, or name the fact each condition means.",
    ),
}

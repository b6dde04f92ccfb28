"""Rule bindings come from the checklist's live items; unbound rules still get a place."""

from __future__ import annotations

from commission.checklist import RULE_IDS, LiveItem, load_builtin
from commission.verify.bindings import UNBOUND_SECTION, bindings_from_checklist, default_bindings
from commission.verify.rules import RULES


def test_rule_ids_agree_with_the_checklist_vocabulary() -> None:
    assert tuple(RULES) == tuple(RULE_IDS)


def test_every_rule_is_bound_to_a_live_item_of_the_builtin_checklist() -> None:
    checklist = load_builtin()
    bindings = default_bindings()
    assert set(bindings) == set(RULES)
    for rule_id, binding in bindings.items():
        item = checklist.item(binding.item_id)
        assert isinstance(item, LiveItem) and item.rule == rule_id
        section, _ = checklist.locate(binding.item_id)
        assert (section.id, section.title) == (binding.section, binding.section_title)


def test_a_checklist_without_live_items_still_places_every_rule() -> None:
    checklist = load_builtin()
    stripped = checklist.model_copy(
        update={
            "sections": tuple(
                section.model_copy(
                    update={
                        "steps": tuple(
                            step.model_copy(
                                update={
                                    "items": tuple(
                                        i
                                        for i in step.items
                                        if not (isinstance(i, LiveItem) and i.rule == "log.fatal")
                                    )
                                    or step.items
                                }
                            )
                            for step in section.steps
                        )
                    }
                )
                for section in checklist.sections
            )
        }
    )
    binding = bindings_from_checklist(stripped)["log.fatal"]
    assert binding.section == UNBOUND_SECTION
    assert binding.item_id == "live-checks.log.fatal"

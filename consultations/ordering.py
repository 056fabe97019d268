"""Moving one item of a planner's ordered list (plan layers, map questions) one place."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError


def move_one_place(items: Sequence, item_pk: int, direction: str, *, refusal: str) -> list:
    """The items with `item_pk` swapped with its neighbour ("up": the one before, "down": the
    one after) and every `position` renumbered from 0, so gaps and ties left by deletions go
    too. At either end nothing moves. `refusal` is the form error for any other direction."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": refusal})
    ordered = list(items)
    index = next(i for i, item in enumerate(ordered) if item.pk == item_pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    return ordered

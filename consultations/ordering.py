"""Moving one item of a planner's ordered list (plan layers, map questions) one place."""

from collections.abc import Iterable


def move_one_place(items: Iterable, item_pk: int, direction: str) -> list:
    """The items with `item_pk` swapped with its neighbour ("up": the one before, anything else:
    the one after; the callers have refused other directions) and every `position` renumbered
    from 0, so gaps and ties left by deletions go too. At either end nothing moves."""
    ordered = list(items)
    index = next(i for i, item in enumerate(ordered) if item.pk == item_pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    return ordered

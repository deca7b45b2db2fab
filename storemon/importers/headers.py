"""Which field a column header means, with a confidence and the reason, not only exact names.

Exports name the same thing many ways: "Qty", "Lineitem quantity", "Total Quantity", "Qty Sold",
"销售数量", "菜品销量". A header is recognised, best first, as

- ``alias`` (confidence 1.0): one of the field's names in ``fields.toml`` (case, width, spaces,
  ``_``/``-`` and bracketed units ignored, as ``normalise_header`` does);
- ``words`` (0.8): a known name once common prefix and suffix words are dropped ("lineitem",
  "item", "line", "transaction", "order", "sold", "total", "net", "gross", ...). A price that is
  "net", "gross", "total" or "extended" is the amount of the whole line, not of one item; "gross"
  is ranked below "net" (before discounts, so not what the customer paid);
- ``keyword`` (0.7): a Chinese header containing a field's word (数量, 销量, 单价, 实收, 小票, ...).

Headers about refunds, discounts, taxes, tips, fees or costs are never guessed (only ``--map``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

ALIAS, WORDS, KEYWORD, VALUES, FORCED = "alias", "words", "keyword", "values", "map"
CONFIDENCE = {FORCED: 1.0, ALIAS: 1.0, WORDS: 0.8, KEYWORD: 0.7, VALUES: 0.7}

NOISE_WORDS = frozenset((
    "item", "items", "line", "lineitem", "lineitems", "transaction", "transactions", "txn", "order",
    "orders", "sold", "sale", "sales", "total", "net", "gross", "product", "products", "ticket", "receipt",
    "check", "bill", "pos", "of", "per", "each", "the",
))  # fmt: skip
"""Words that qualify a header without changing what it holds ("Lineitem quantity", "Qty Sold")."""

_LINE_AMOUNT = {"net": 0.8, "total": 0.8, "extended": 0.8, "ext": 0.8, "gross": 0.75}
"""A price named with one of these words is the line's amount; gross ranks below net."""

NEGATIVE_WORDS = frozenset((
    "refund", "refunds", "refunded", "return", "returns", "returned", "void", "voided", "discount",
    "discounts", "tax", "taxes", "vat", "tip", "tips", "gratuity", "cost", "costs", "fee", "fees",
    "shipping", "delivery", "change", "comp", "comps",
))  # fmt: skip
NEGATIVE_CJK = ("退", "优惠", "折扣", "减免", "税", "小费", "成本", "运费", "配送费", "手续费", "找零", "赠送")  # fmt: skip
"""Headers about refunds, discounts, taxes, tips, fees or costs: never guessed, only --map."""

CJK_KEYWORDS: tuple[tuple[str, str, float], ...] = (
    # Checked in order: the first word a header contains decides (实收金额 is paid, not 金额).
    ("门店编号", "store_code", 0.7),
    ("门店编码", "store_code", 0.7),
    ("门店代码", "store_code", 0.7),
    ("门店id", "store_code", 0.7),
    ("店铺编号", "store_code", 0.7),
    ("门店地址", "store_location", 0.7),
    ("门店", "store_name", 0.7),
    ("店铺", "store_name", 0.7),
    ("实收", "order_total", 0.7),
    ("实付", "order_total", 0.7),
    ("应收", "order_total", 0.6),
    ("单价", "unit_price", 0.7),
    ("售价", "unit_price", 0.7),
    ("数量", "quantity", 0.7),
    ("销量", "quantity", 0.7),
    ("件数", "quantity", 0.7),
    ("份数", "quantity", 0.7),
    ("金额", "total", 0.7),
    ("小计", "total", 0.7),
    ("销售额", "total", 0.7),
    ("营业额", "total", 0.7),
    ("订单号", "order_id", 0.7),
    ("订单编号", "order_id", 0.7),
    ("小票", "order_id", 0.7),
    ("流水", "order_id", 0.7),
    ("单号", "order_id", 0.7),
    ("下单时间", "datetime", 0.7),
    ("交易时间", "datetime", 0.7),
    ("日期", "date", 0.7),
    ("时间", "time", 0.7),
)

_BRACKETS = re.compile(r"[(\[（【].*?[)\]）】]")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def normalise_header(text: object) -> str:
    """'Order No.' -> 'orderno', '金额(元)' -> '金额', 'Store_ID' -> 'storeid'."""
    s = unicodedata.normalize("NFKC", str(text or "")).casefold().strip()
    s = _BRACKETS.sub("", s)
    return "".join(ch for ch in s if ch.isalnum())


def header_words(text: object) -> list[str]:
    """'LineItem_Quantity (pcs)' -> ['line', 'item', 'quantity']: words, lower case, units dropped."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip()
    s = _CAMEL.sub(" ", _BRACKETS.sub("", s)).casefold()
    return [w for w in re.split(r"[^0-9a-z\u3400-\u9fff]+|(?<=[a-z])(?=\d)", s) if w]


@dataclass(frozen=True)
class HeaderMatch:
    """Column ``column`` (header ``header``) read as ``field``; ``how`` and ``name`` say why.

    ``how`` is ALIAS, WORDS, KEYWORD, VALUES or FORCED (--map); ``name`` is the known name or word
    that matched, ``dropped`` the words left out. ``rank`` orders equally confident matches of one
    field: the earlier alias in ``fields.toml`` wins ("created at" before "paid at").
    """

    column: int
    header: str
    field: str
    confidence: float
    how: str
    name: str = ""
    dropped: tuple[str, ...] = ()
    rank: int = 0

    @property
    def why(self) -> str:
        """The reason in English (the wizard builds its own from ``how``, ``name`` and ``dropped``)."""
        if self.how == FORCED:
            return "--map"
        if self.how == ALIAS:
            return f"known name {self.name!r}"
        if self.how == WORDS:
            return f"{self.name!r} once {' '.join(self.dropped)!r} is left out"
        if self.how == KEYWORD:
            return f"contains {self.name!r}"
        return self.name


class HeaderMatcher:
    """Matches headers against one importer's fields (``aliases``: normalised name -> field)."""

    def __init__(self, aliases: dict[str, str], ranks: dict[str, int], fields: Iterable[str]):
        self.aliases = aliases
        self.ranks = ranks
        self.fields = frozenset(fields)

    def match(self, column: int, header: str) -> HeaderMatch | None:
        """The best reading of one header, or None when it means nothing to this importer."""
        norm = normalise_header(header)
        if not norm:
            return None
        field = self.aliases.get(norm)
        if field is not None:
            return HeaderMatch(column, header, field, CONFIDENCE[ALIAS], ALIAS, norm, (), self.ranks[norm])
        words = header_words(header)
        if any(w in NEGATIVE_WORDS for w in words) or any(n in norm for n in NEGATIVE_CJK):
            return None
        return self._by_words(column, header, words) or self._by_keyword(column, header, norm)

    def _by_words(self, column: int, header: str, words: list[str]) -> HeaderMatch | None:
        # The longest run of words that is a known name, with only noise words around it.
        n = len(words)
        for size in range(n - 1, 0, -1):
            for start in range(n - size + 1):
                dropped = tuple(words[:start] + words[start + size :])
                if not all(w in NOISE_WORDS for w in dropped):
                    continue
                core = "".join(words[start : start + size])
                field = self.aliases.get(core)
                if field is None:
                    continue
                confidence = CONFIDENCE[WORDS]
                line = [_LINE_AMOUNT[w] for w in dropped if w in _LINE_AMOUNT]
                if field == "unit_price" and line and "total" in self.fields:
                    field, confidence = "total", min(line)
                elif field in ("total", "order_total") and "gross" in dropped:
                    confidence = _LINE_AMOUNT["gross"]
                return HeaderMatch(column, header, field, confidence, WORDS, core, dropped, self.ranks[core])
        return None

    def _by_keyword(self, column: int, header: str, norm: str) -> HeaderMatch | None:
        for rank, (word, field, confidence) in enumerate(CJK_KEYWORDS):
            if field in self.fields and word in norm:
                return HeaderMatch(column, header, field, confidence, KEYWORD, word, (), rank)
        return None


FIELD_WORDS = {
    "order_id": "an order number",
    "datetime": "a date and time",
    "date": "a date",
    "time": "a time of day",
    "store_code": "a store code",
    "store_name": "a store name",
    "store_location": "a store location",
    "quantity": "a quantity",
    "unit_price": "a unit price",
    "total": "a line amount",
    "order_total": "an order total",
}
"""How the summary names what an unused column looks like ("looks like a quantity")."""


def looks_like(field: str) -> str:
    return FIELD_WORDS.get(field, f"the {field}")


WEAKER, ORDER_LEVEL, NOT_NEEDED = "weaker", "order_level", "not_needed"


@dataclass(frozen=True)
class UnusedColumn:
    """A column that looked like ``match.field`` but was not used, and why (``reason``, ``instead``).

    ``reason``: WEAKER (``instead`` was a better match for the field), ORDER_LEVEL (an amount filled
    on an order's first line only, so not a line amount), NOT_NEEDED (``instead`` already holds the
    date and time).
    """

    match: HeaderMatch
    reason: str
    instead: str = ""

    @property
    def hint(self) -> str:
        """'`Qty Sold` looks like a quantity and was not used: pass --map "Qty Sold=quantity"'."""
        m = self.match
        field = "order_total" if self.reason == ORDER_LEVEL else m.field
        why = {
            WEAKER: f" ({self.instead!r} matched better)",
            ORDER_LEVEL: " (filled on an order's first line only)",
            NOT_NEEDED: f" ({self.instead!r} already has it)",
        }.get(self.reason, "")
        return (
            f"{m.header!r} looks like {looks_like(field)} and was not used{why}: "
            f'pass --map "{m.header}={field}"'
        )


ORDER_TOTAL, LINE_TOTAL, QUANTITY_X_PRICE, PRICE_ONLY = "order_total", "total", "quantity_x_price", "price"


@dataclass(frozen=True)
class MoneyRule:
    """Where an import's revenue comes from: ``kind`` and the headers of the columns it reads.

    ORDER_TOTAL: what the customer paid, once per order; LINE_TOTAL: the line amounts, summed;
    QUANTITY_X_PRICE: quantity x unit price per line (no line-total column); PRICE_ONLY: the unit
    price per line, one item each (no quantity column).
    """

    kind: str
    columns: tuple[str, ...]

    def __str__(self) -> str:
        return RULE_TEXT[self.kind].format(*(repr(c) for c in self.columns))


RULE_TEXT = {
    ORDER_TOTAL: "revenue = {0} once per order (what the customer paid)",
    LINE_TOTAL: "revenue = {0} summed over an order's lines (a line-total column)",
    QUANTITY_X_PRICE: "revenue = {0} x {1} per line (no line-total column)",
    PRICE_ONLY: "revenue = {0} per line, one item each (no quantity column)",
}

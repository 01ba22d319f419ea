"""Word lists shared by loading and checks (relationships, role words, null tokens).

Kept as data in one module so the config can extend them and tests can read them.
"""

from __future__ import annotations

import unicodedata

RELATIONSHIPS: tuple[str, ...] = (
    "self",
    "spouse",
    "parent",
    "child",
    "sibling",
    "relative",
    "friend",
    "colleague",
    "other",
)

# Folded word -> canonical relationship. Keys are compared after fold_text().
# fmt: off
RELATIONSHIP_WORDS: dict[str, str] = {
    # English
    "self": "self", "own": "self", "borrower": "self", "myself": "self", "me": "self",
    "spouse": "spouse", "wife": "spouse", "husband": "spouse", "partner": "spouse",
    "parent": "parent", "father": "parent", "mother": "parent", "dad": "parent",
    "mom": "parent", "mum": "parent",
    "child": "child", "son": "child", "daughter": "child", "children": "child",
    "sibling": "sibling", "brother": "sibling", "sister": "sibling",
    "relative": "relative", "family": "relative", "cousin": "relative",
    "uncle": "relative", "aunt": "relative", "grandparent": "relative",
    "friend": "friend",
    "colleague": "colleague", "coworker": "colleague", "co-worker": "colleague",
    "other": "other", "others": "other",
    # Chinese
    "本人": "self", "自己": "self", "借款人": "self",
    "配偶": "spouse", "夫妻": "spouse", "丈夫": "spouse", "妻子": "spouse",
    "老公": "spouse", "老婆": "spouse", "爱人": "spouse",
    "父母": "parent", "父亲": "parent", "母亲": "parent", "爸爸": "parent",
    "妈妈": "parent",
    "子女": "child", "儿子": "child", "女儿": "child",
    "兄弟姐妹": "sibling", "兄弟": "sibling", "姐妹": "sibling", "哥哥": "sibling",
    "弟弟": "sibling", "姐姐": "sibling", "妹妹": "sibling",
    "亲属": "relative", "亲戚": "relative", "家人": "relative",
    "朋友": "friend", "同学": "friend",
    "同事": "colleague", "领导": "colleague",
    "其他": "other", "其它": "other",
}

# Generic role words that are not a person's name (name-conflict ignores them).
ROLE_WORDS: frozenset[str] = frozenset(
    {
        "妈妈", "母亲", "爸爸", "父亲", "老公", "老婆", "丈夫", "妻子", "爱人",
        "先生", "女士", "小姐", "太太", "儿子", "女儿", "哥哥", "弟弟", "姐姐",
        "妹妹", "朋友", "同事", "本人", "家人", "亲戚", "领导", "老板", "客户",
        "mr", "mrs", "ms", "miss", "sir", "madam", "mother", "father", "mom", "dad",
        "wife", "husband", "friend", "self", "unknown", "na", "n/a", "none", "null",
    }
)

# fmt: on

# Cell values that mean "no value" in exports (after fold_text()).
NULL_TOKENS: frozenset[str] = frozenset(
    {"", "null", "none", "nan", "n/a", "na", "-", "/", "0", "无", "暂无", "<na>", "nat"}
)

TRUE_TOKENS = frozenset({"true", "t", "yes", "y", "1", "是", "已退订", "退订", "opt-out", "optout"})
FALSE_TOKENS = frozenset({"false", "f", "no", "n", "0", "否", ""})


def fold_text(text: str) -> str:
    """NFKC, case-fold and drop all white space: how names and words are compared."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())

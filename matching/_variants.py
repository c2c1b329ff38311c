"""One folding table for kanji variants (異体字) in names and addresses.

NFKC folds none of the variants that matter in names (髙/高, 﨑/崎, 邊/邉/辺,
齋/斎, 澤/沢 all stay distinct, background/kana.md §3.1), and pykakasi drops
or garbles several of them silently (髙橋 → "", 山﨑 → ヤマヤマ, §2.3). Each
variant here is written as the everyday character an office or bank would
use instead. Used before readings are estimated (:mod:`matching.reading`)
and on town and city names (:mod:`matching.addresses`).

The table is deliberately conservative: only pairs that are the *same*
character in practice (旧字体/異体字 of one name character). Characters that
merely look alike or are different names (埼/崎, 碕/崎, 斉/斎, 渡部/渡辺) are not
joined.

>>> fold_variants("髙橋 山﨑 德永 濵田 𠮷田 渡邉 齋藤 澤田")
'高橋 山崎 徳永 浜田 吉田 渡辺 斎藤 沢田'
"""

from __future__ import annotations

__all__ = ["VARIANTS", "fold_variants"]

# variant -> everyday form; groups by theme, one line per target.
_TABLE = """
高 髙
崎 﨑 嵜
吉 𠮷
土 𡈽
徳 德
浜 濵 濱
辺 邊 邉
斎 齋 齊
沢 澤
島 嶋 嶌
富 冨
槙 槇
館 舘
桑 桒
凛 凜
桧 檜
峰 峯
広 廣
桜 櫻
国 國
実 實
真 眞
恵 惠
瀬 瀨
蔵 藏
弥 彌
栄 榮
浅 淺
会 會
学 學
条 條
来 來
与 與
寿 壽
将 將
県 縣
関 關
黒 黑
団 團
仏 佛
礼 禮
静 靜
円 圓
万 萬
宝 寶 寳
豊 豐
曽 曾
淵 渕
岳 嶽
巌 巖
晋 晉
鴎 鷗
騨 驒
昂 昻
村 邨
野 埜
遥 遙
増 增
勲 勳
穂 穗
薫 薰
慎 愼
亜 亞
芸 藝
総 總
渋 澁
彦 彥
涛 濤
竜 龍
滝 瀧
"""

VARIANTS: dict[str, str] = {
    variant: target
    for line in _TABLE.strip().splitlines()
    for target, *variants in [line.split()]
    for variant in variants
}
"""Variant character → everyday character (single code points both sides)."""

_TRANSLATE = str.maketrans(VARIANTS)


def fold_variants(text: str) -> str:
    """Fold the variants of :data:`VARIANTS` in one Python string."""
    return text.translate(_TRANSLATE)

"""Bangla script as first-class input: each Bangla word maps onto the token the English/Banglish
tables already use, so every table, cue and date rule serves Bangla without a copy of its own.

``to_canonical(word)`` is applied by the tokenizer to every Bangla-script word; a word not in the
table keeps its spelling (customer names in Bangla script then match the catalogue as typed).
Case endings glued to a known word ("কলের", "শুক্রবারে") are stripped before the lookup.
Digits (০-৯) are folded to ASCII earlier, by ``text.normalise``.
"""
from __future__ import annotations

_WORDS: dict[str, tuple[str, ...]] = {
    # days and parts of the day
    "aj": ("আজ", "আজকে", "আজই", "আজকেই"), "tomorrow": ("আগামীকাল", "আগামিকাল"), "kal": ("কাল", "কালকে"),
    "porshu": ("পরশু", "পরশুদিন"), "yesterday": ("গতকাল", "গতকালকে"),
    "sombar": ("সোমবার",), "mongolbar": ("মঙ্গলবার",), "budhbar": ("বুধবার",),
    "brihospotibar": ("বৃহস্পতিবার", "বিষ্যুদবার"), "shukrobar": ("শুক্রবার",), "shonibar": ("শনিবার",),
    "robibar": ("রবিবার", "রোববার"), "shokal": ("সকাল", "সকালে"), "dupur": ("দুপুর", "দুপুরে"),
    "bikel": ("বিকাল", "বিকেল", "বিকেলে", "বিকালে"), "shondha": ("সন্ধ্যা", "সন্ধ্যায়"), "raat": ("রাত", "রাতে"),
    "baje": ("বাজে", "টায়"), "ta": ("টা", "টার"), "din": ("দিন", "দিনের"), "soptaho": ("সপ্তাহ", "সপ্তাহের"),
    "mash": ("মাস", "মাসের"), "pore": ("পরে", "পর"), "age": ("আগে",), "agami": ("আগামী",), "next": ("সামনের",),
    "this": ("এই",), "last": ("গত",), "shesh": ("শেষ",), "week": ("সপ্তাহে",), "month": ("মাসে",), "year": ("বছর",),
    "minutes": ("মিনিট",), "hours": ("ঘণ্টা", "ঘন্টা"), "seconds": ("সেকেন্ড",),
    "january": ("জানুয়ারি", "জানুয়ারী"), "february": ("ফেব্রুয়ারি", "ফেব্রুয়ারী"), "march": ("মার্চ",),
    "april": ("এপ্রিল",), "may": ("মে",), "june": ("জুন",), "july": ("জুলাই",), "august": ("আগস্ট", "অগাস্ট"),
    "september": ("সেপ্টেম্বর",), "october": ("অক্টোবর",), "november": ("নভেম্বর",), "december": ("ডিসেম্বর",),
    # people and pronouns
    "kake": ("কাকে",), "kader": ("কাদের",), "ke": ("কে",), "kar": ("কার",), "ami": ("আমি",), "amar": ("আমার",),
    "amake": ("আমাকে",), "tar": ("তার", "ওর", "ওনার", "উনার"), "take": ("তাকে", "ওকে", "ওনাকে", "উনাকে"),
    "uni": ("উনি", "তিনি", "সে"), "o": ("ও",), "customer": ("কাস্টমার", "গ্রাহক", "ক্রেতা"), "customers": ("কাস্টমারদের", "গ্রাহকদের"),
    "sathe": ("সাথে", "সঙ্গে"), "jonno": ("জন্য",), "theke": ("থেকে",), "er": ("এর",),
    # contact, channels, verbs
    "call": ("কল", "ফোনকল"), "phone": ("ফোন",), "whatsapp": ("হোয়াটসঅ্যাপ", "হোয়াটসঅ্যাপে", "হোয়াটসএপ", "হোয়াটসঅ্যাপ"),
    "sms": ("এসএমএস", "মেসেজে"), "message": ("মেসেজ", "বার্তা"), "email": ("ইমেইল", "ইমেল", "ই-মেইল"),
    "facebook": ("ফেসবুক",), "messenger": ("মেসেঞ্জার",), "instagram": ("ইনস্টাগ্রাম",),
    "meeting": ("মিটিং", "সাক্ষাৎ"), "showroom": ("শোরুম", "দোকানে"),
    "abar": ("আবার",), "korbo": ("করব", "করবো", "দিব", "দিবো", "দেব", "দেবো"), "korlam": ("করলাম", "করেছি", "করেছিলাম"),
    "eshechilo": ("এসেছিলেন", "এসেছিল", "এসেছিলো", "এসেছেন", "আসছিলেন", "আসছিল", "ঘুরে গেছেন"),
    "nijei": ("নিজেই", "নিজে"), "eshe": ("এসে",), "gelo": ("গেলেন", "গেল", "গেলো"), "dekha": ("দেখা",),
    "dekhe": ("দেখে",),
    "dilam": ("দিলাম", "দিয়েছি", "দিছি"), "korse": ("করেছে", "করছে", "করেছিল", "করেছিলো", "করেছিলেন", "করেছেন"),
    "dise": ("দিয়েছে", "দিছে", "দিয়েছিল"), "kotha": ("কথা",), "bollam": ("বললাম", "বলেছি"),
    "hoise": ("হয়েছে", "হলো", "হল", "হইছে"), "bolse": ("বলেছে", "বলল", "বললো"), "bolo": ("বলো", "বলুন", "বলেন", "বল"),
    "log": ("লগ", "রেকর্ড"), "add": ("যোগ", "যুক্ত", "অ্যাড", "এড"), "koro": ("করো", "করুন", "কর", "করেন"),
    "dao": ("দাও", "দেন"), "dekhao": ("দেখাও", "দেখান"), "lekho": ("লেখো", "লিখো", "লিখুন", "লিখে"), "niye": ("নিয়ে", "বিষয়ে", "ব্যাপারে"),
    "draft": ("ড্রাফট", "খসড়া"), "reply": ("উত্তর", "জবাব", "রিপ্লাই"), "pathao": ("পাঠাও", "পাঠান"),
    # outcomes
    "dhoreni": ("ধরেনি", "ধরেনাই", "ধরেননি", "ধরেনায়", "ধরলো", "ধরল"), "bondho": ("বন্ধ",), "busy": ("ব্যস্ত",),
    "interested": ("আগ্রহী", "আগ্রহ"), "kinbe": ("কিনবে", "নিবে", "নেবে"), "kinse": ("কিনেছে", "কিনলো", "কিনল", "কিনেছেন", "কিনলেন"),
    "obhijog": ("অভিযোগ",), "na": ("না", "নাই", "নেই"), "problem": ("সমস্যা",),
    # family
    "stri": ("স্ত্রী", "বউ", "বৌ"), "shami": ("স্বামী",), "chele": ("ছেলে",), "meye": ("মেয়ে",),
    "ammu": ("মা", "আম্মু", "আম্মা"), "abbu": ("বাবা", "আব্বু", "আব্বা"), "bhai": ("ভাই",), "bon": ("বোন",),
    "dada": ("দাদা",), "dadi": ("দাদি", "দাদী"), "nana": ("নানা",), "nani": ("নানি", "নানী"),
    "family": ("পরিবার", "পরিবারের"), "nam": ("নাম",), "jonmodin": ("জন্মদিন", "জন্মদিনে"),
    "anniversary": ("বিবাহবার্ষিকী", "বার্ষিকী"), "born": ("জন্ম",),
    # lists, views, segments
    "list": ("লিস্ট", "তালিকা"), "hot": ("গরম", "হট"), "cold": ("ঠান্ডা", "কোল্ড"), "warm": ("ওয়ার্ম",),
    "profile": ("প্রোফাইল",), "info": ("তথ্য", "বিস্তারিত"), "somporke": ("সম্পর্কে",),
    "segment": ("সেগমেন্ট",), "cart": ("কার্ট",), "recovered": ("রিকভার", "রিকভারড"),
    "birthdays": ("জন্মদিনগুলো",), "ki": ("কি", "কী"), "kobe": ("কবে",), "kothay": ("কোথায়",),
    "kono": ("কোনো", "কোন"), "keno": ("কেন", "কেনো"), "koto": ("কত",), "kotojon": ("কতজন",),
    "total": ("মোট",), "amader": ("আমাদের",), "ache": ("আছে",), "thanks": ("ধন্যবাদ",), "cancel": ("বাতিল",),
    "offer": ("অফার",), "discount": ("ছাড়",), "delivery": ("ডেলিভারি",), "price": ("দাম",),
    # consent, notes, tags, deals, follow-ups
    "pathano": ("পাঠানো", "পাঠাতে", "পাঠানোর"), "pathaben": ("পাঠাবেন", "পাঠাবে", "পাঠাবা", "পাঠাবো"),
    "ar": ("আর",), "sob": ("সব", "সকল", "সমস্ত"), "marketing": ("মার্কেটিং", "প্রচার", "প্রচারণা"),
    "chay": ("চায়", "চান", "চাই"), "chalu": ("চালু",), "mana": ("মানা", "নিষেধ"),
    "note": ("নোট",), "rakho": ("রাখুন", "রাখো", "রাখেন", "রাখ"), "pin": ("পিন",),
    "important": ("গুরুত্বপূর্ণ", "জরুরি", "জরুরী"), "proshongsha": ("প্রশংসা",), "reminder": ("রিমাইন্ডার",),
    "tag": ("ট্যাগ", "ট্যাগটা", "ট্যাগটি"), "hisebe": ("হিসেবে", "হিসাবে"), "bad": ("বাদ",),
    "sorao": ("সরাও", "সরান", "সরিয়ে", "সরিয়ে"),
    "deal": ("ডিল", "ডিলটা", "ডিলটি"), "jitechi": ("জিতেছি", "জিতলাম", "জিতেছে", "জিতেছেন"),
    "harechi": ("হেরেছি", "হারলাম", "হেরে", "হারিয়েছি", "হেরেছে"), "stage": ("স্টেজ", "ধাপ", "ধাপে"),
    "negotiation": ("নেগোসিয়েশন", "দরকষাকষি"), "proposal": ("প্রপোজাল", "প্রস্তাব"), "value": ("ভ্যালু", "মূল্য"),
    "probability": ("সম্ভাবনা",), "lakh": ("লাখ", "লক্ষ"), "hajar": ("হাজার",), "taka": ("টাকা",),
    "percent": ("শতাংশ", "পার্সেন্ট"), "follow": ("ফলো",), "up": ("আপ",), "followup": ("ফলোআপ",),
    "hoye": ("হয়ে",), "geche": ("গেছে", "গিয়েছে"),
    # which one: ordinals and counters (a choice between namesakes, a row of a list)
    "prothom": ("প্রথম", "১ম"), "ditiyo": ("দ্বিতীয়", "দ্বিতীয়", "২য়"), "tritiyo": ("তৃতীয়", "তৃতীয়", "৩য়"),
    "choturtho": ("চতুর্থ", "৪র্থ"), "ponchom": ("পঞ্চম", "৫ম"), "jon": ("জন", "জনকে"),
    "shudhu": ("শুধু", "শুধুমাত্র", "কেবল"),
    # cities (the major ones; a city typed in Latin letters matches the customers' own city names)
    "dhaka": ("ঢাকা",), "chattogram": ("চট্টগ্রাম", "চিটাগাং"), "gazipur": ("গাজীপুর",),
    "narayanganj": ("নারায়ণগঞ্জ", "নারায়ণগঞ্জ"), "sylhet": ("সিলেট",), "khulna": ("খুলনা",),
    "rajshahi": ("রাজশাহী",), "cumilla": ("কুমিল্লা",), "mymensingh": ("ময়মনসিংহ", "ময়মনসিংহ"),
    "barishal": ("বরিশাল",), "rangpur": ("রংপুর",), "bogura": ("বগুড়া", "বগুড়া"), "savar": ("সাভার",),
    "jashore": ("যশোর",), "feni": ("ফেনী",), "noakhali": ("নোয়াখালী", "নোয়াখালী"), "tangail": ("টাঙ্গাইল",),
    "dinajpur": ("দিনাজপুর",), "brahmanbaria": ("ব্রাহ্মণবাড়িয়া", "ব্রাহ্মণবাড়িয়া"),
}
CANONICAL = frozenset(_WORDS)  # the table words Bangla maps onto (Banglish and English)
BANGLA: dict[str, str] = {}
for _canonical, _spellings in _WORDS.items():
    for _spelling in _spellings:
        if _spelling in BANGLA and BANGLA[_spelling] != _canonical:
            raise ValueError(f"Bangla word {_spelling!r} maps to both {BANGLA[_spelling]!r} and {_canonical!r}")
        BANGLA[_spelling] = _canonical
# case endings glued to a word: -এর/-ের (of), -কে (to), -তে/-য়/-এ (at, in), -রা/-দের (plural)
ENDINGS = ("দেরকে", "দের", "কে", "ের", "এর", "তে", "য়", "রা", "ে", "র", "টা", "টি", "জন")


def is_bangla(word: str) -> bool:
    return any("\u0980" <= ch <= "\u09ff" for ch in word)


def to_canonical(word: str) -> str:
    """The table word a Bangla word stands for, or the word itself."""
    if word in BANGLA:
        return BANGLA[word]
    for ending in ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= 2 and stem in BANGLA:
            return BANGLA[stem]
    return word

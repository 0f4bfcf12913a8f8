"""What a reply is about: the topic class of a request, of an incoming message and of a template.

A draft's words must fit what was asked, so the topic is first put into one of a few classes
(``TOPICS``) by word stems in English, Banglish and Bangla. Each class says which facts of the
customer's records a draft of it needs (``needs``): a cart reminder needs an open cart, a delivery
update an open order, birthday wishes a birthday on record. Templates are classed by the same
rules (their name and topic), so a complaint never meets a restock template.

Stems match at the start of a word ("complain" matches "complaints"); Bangla stems anywhere, since
Bangla words carry suffixes ("অর্ডারটি"). The first class in ``PRIORITY`` that matches wins: a
message that complains and asks a question is a complaint first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Topic:
    name: str
    stems: tuple[str, ...]  # latin stems, matched at a word start
    bangla: tuple[str, ...] = ()  # Bangla-script stems, matched anywhere
    needs: tuple[str, ...] = ()  # facts a draft of this class cannot do without
    question: bool = False  # a question the knowledge snippets answer


TOPICS: dict[str, Topic] = {t.name: t for t in (
    Topic("complaint", ("complain", "apolog", "sorry", "damag", "broke", "defect", "wrong item", "not working",
                        "faulty", "bad experience", "bad service", "late deliver", "delay", "disappoint",
                        "angry", "upset", "problem", "not happy", "unhappy", "rude", "terribl", "awful", "worst",
                        "horribl", "misbehav", "poor service", "poor quality", "overcharg", "charged twice",
                        "never arriv", "not received", "cheat", "khara", "nosto", "vanga", "bhanga"),
          ("অভিযোগ", "নষ্ট", "ভাঙা", "দুঃখিত", "সমস্যা", "খারাপ", "দেরি")),
    Topic("payment_failed", ("payment fail", "failed payment", "payment did not", "payment didn",
                             "payment not", "payment issue", "retry payment", "bkash fail", "card declin"),
          ("পেমেন্ট হয়নি", "পেমেন্ট ব্যর্থ"), needs=("failed_payment",)),
    Topic("cart", ("cart", "basket", "abandon", "checkout", "left in", "finish the order", "complete the order",
                   "complete your order", "complete her order", "complete his order", "karte"),
          ("কার্ট",), needs=("cart",)),
    Topic("order_status", ("where is my", "delivery status", "order status", "track", "parcel", "shipped",
                           "on its way", "not arrived", "not received", "kobe deliver", "kobe pabo",
                           "kobe asbe", "when will my", "when does my", "dispatch", "order update",
                           "delivery update", "status of", "update on order", "update about order", "update order", "where his order",
                           "where her order", "where order", "order is", "order has", "order will", "order was",
                           "parcel is", "parcel has", "parcel will", "arriving", "out for delivery",
                           "will be delivered", "being delivered"),
          ("কবে পাব", "কবে আসবে", "কবে ডেলিভারি", "কোথায়", "পৌঁছায়নি"), needs=("open_order",)),
    Topic("order_confirmation", ("order confirm", "confirm the order", "confirm her order", "confirm his order",
                                 "confirmation", "placing your order", "order received"),
          ("অর্ডার নিশ্চিত",), needs=("order",)),
    Topic("thanks", ("thank", "thanks", "grateful", "appreciat", "dhonnobad", "shukriya", "purchase thank"),
          ("ধন্যবাদ", "কৃতজ্ঞ")),
    Topic("birthday", ("birthday", "bday", "b'day", "jonmodin", "janmadin", "happy birth"),
          ("জন্মদিন",), needs=("birthday",)),
    Topic("anniversary", ("anniversary", "wedding day", "bibaho", "biye barshiki"),
          ("বিবাহবার্ষিকী", "বার্ষিকী"), needs=("anniversary",)),
    Topic("back_in_stock", ("back in stock", "restock", "available again", "in stock again", "stock e"),
          ("স্টকে",), needs=("product",)),
    Topic("feedback", ("feedback", "review", "how was", "rate us", "rating", "experience with"),
          ("মতামত",), needs=("completed_order",)),
    Topic("loyalty", ("loyalty", "points", "reward", "membership", "tier"), ("পয়েন্ট",), needs=("loyalty",)),
    Topic("missed_call", ("missed call", "tried to call", "tried calling", "call back", "callback",
                          "could not reach", "couldn't reach", "no answer", "did not pick"),
          ("ফোন করেছিলাম",)),
    Topic("win_back", ("miss you", "win back", "winback", "come back", "re-engage", "reengage", "inactive",
                       "long time", "welcome back", "reactivat", "onekdin"),
          ("অনেকদিন",)),
    Topic("delivery_question", ("delivery time", "delivery charge", "shipping", "how long", "how many days",
                                "deliver to", "delivery fee", "delivery cost", "koto din"),
          ("ডেলিভারি চার্জ", "কত দিন", "কতদিন"), question=True),
    Topic("return_question", ("return", "refund", "exchange", "ferot"), ("ফেরত", "রিফান্ড"), question=True),
    Topic("payment_question", ("payment method", "payment option", "pay with", "how to pay", "how can i pay",
                               "bkash", "nagad", "rocket", "cash on delivery", "cod", "emi", "installment"),
          ("বিকাশ", "নগদ", "পেমেন্ট"), question=True),
    Topic("warranty_question", ("warranty", "guarantee", "repair", "servic"), ("ওয়ারেন্টি",), question=True),
    Topic("price_question", ("price", "how much", "cost", "dam koto", "koto taka", "rate"),
          ("দাম", "কত টাকা"), needs=("product",), question=True),
    Topic("product_followup", ("still interested", "interested in", "follow up on", "follow-up on", "viewed",
                               "was looking", "were looking", "showed interest", "product follow"),
          (), needs=("product",)),
    Topic("promotion", ("offer", "sale", "discount", "promo", "new arrival", "collection", "eid", "puja",
                        "festival", "campaign", "deal", "launch", "new stock", "catalog", "boishakh"),
          ("অফার", "ছাড়", "ঈদ", "নতুন কালেকশন"),),
)}
PRIORITY = ("payment_failed", "complaint", "cart", "order_status", "order_confirmation", "birthday", "anniversary",
            "back_in_stock", "feedback", "loyalty", "missed_call", "delivery_question", "return_question",
            "payment_question", "warranty_question", "price_question", "win_back", "product_followup",
            "thanks", "promotion")
# A template's name or topic word that names its class outright ("abandoned_cart", "restock").
_TEMPLATE_WORDS = {"order_follow_up": "feedback", "reactivation": "win_back", "thank_you": "thanks",
                   "delivery_time": "delivery_question", "return_refund": "return_question",
                   "payment_methods": "payment_question", "warranty_support": "warranty_question",
                   "price_quote": "price_question", "promotion_offer": "promotion",
                   "order_confirmation": "order_confirmation", "delivery_status": "order_status"}
_QUESTION = re.compile(r"\?|؟|(?:^|\s)(?:what|when|where|which|how|why|who|can i|can you|could you|do you|"
                       r"is it|is there|are there|kobe|koto|kivabe|kothay|ki\s|keno)\b|কবে|কত|কী|কি\s|কিভাবে|"
                       r"কোথায়|কেন", re.I)
assert set(PRIORITY) == set(TOPICS)


_GLUE = re.compile(r"(?<![^\W\d_])(?:to|the|a|an)\s+")


def _fold(text: str) -> str:
    """Lower case, one space, and no "to"/"the"/"a" (parsers drop them: "tried call", "where order")."""
    text = re.sub(r"[_\-/]+", " ", " ".join(text.lower().split()))
    return " " + _GLUE.sub("", text + " ").strip() + " "


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    out = {}
    for name, topic in TOPICS.items():
        latin = [r"(?<![a-z'])" + re.escape(_fold(s).strip()) for s in topic.stems]
        out[name] = re.compile("|".join(latin + [re.escape(s) for s in topic.bangla]))
    return out


def classes_in(text: str | None) -> list[str]:
    """Every class whose words occur in ``text``, in ``PRIORITY`` order."""
    if not text or not text.strip():
        return []
    folded = _fold(text)
    patterns = _patterns()
    return [name for name in PRIORITY if patterns[name].search(folded)]


def classify(text: str | None) -> str | None:
    """The topic class of a request or a message; None when no class fits."""
    found = classes_in(text)
    return found[0] if found else None


def asks_a_question(message: str | None) -> bool:
    """Whether a customer's message asks something (a question mark or a question word)."""
    return bool(message and _QUESTION.search(message))


@lru_cache(maxsize=2048)
def template_class(name: str, topic: str) -> str | None:
    """The class of a template, from the words of its name first, then of its topic text."""
    key = name.lower()
    for word, cls in _TEMPLATE_WORDS.items():
        if key.startswith(word):
            return cls
    return classify(name.replace("_", " ")) or classify(topic)


def needs(cls: str | None) -> tuple[str, ...]:
    return TOPICS[cls].needs if cls in TOPICS else ()

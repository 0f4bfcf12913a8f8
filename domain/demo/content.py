"""The demo's people and reply material: the team, reply templates and knowledge snippets.

Templates use named slots in braces: ``{first_name}``, ``{product}``, ``{shop}`` (the business
name setting, ``C360_BUSINESS_NAME``: ``make run`` sets it to ``SHOP``), ``{agent}`` (who drafts),
``{offer}`` (a current offer: a knowledge snippet tagged ``offer`` whose occasion and audience fit the
person), ``{cart_value}``, ``{person}`` and ``{relation}`` (the family member of a family event).
A draft uses a template only when every slot is filled from facts. ``whatsapp_approved`` marks
WhatsApp templates usable outside the 24-hour customer-service window.
"""

from __future__ import annotations

SHOP = "Deshi Bazar"

# (name, role, email)
TEAM = [
    ("Rina Akter", "agent", "rina.akter@deshibazar.example"),
    ("Karim Hasan", "agent", "karim.hasan@deshibazar.example"),
    ("Sadia Islam", "agent", "sadia.islam@deshibazar.example"),
    ("Farhana Chowdhury", "manager", "farhana.chowdhury@deshibazar.example"),
    ("Admin", "admin", "admin@deshibazar.example"),
]

# topic -> {(channel, language): body or (subject, body)}
_TEMPLATES: dict[str, dict[tuple[str, str], str | tuple[str, str]]] = {
    "order_follow_up": {
        (
            "whatsapp",
            "en",
        ): "Hi {first_name}, this is {agent} from {shop}. Your {product} should have reached you - "
        "is everything working well? Reply here if you need anything.",
        ("whatsapp", "bn"): "আসসালামু আলাইকুম {first_name}, আমি {shop} থেকে {agent}। আপনার {product} ঠিকমতো "
        "পৌঁছেছে তো? কোনো সমস্যা হলে এখানে জানাবেন।",
        (
            "sms",
            "en",
        ): "{shop}: Hi {first_name}, hope your {product} arrived safely. Questions? Call 09610-000360.",
        ("sms", "bn"): "{shop}: {first_name}, আপনার {product} পেয়েছেন তো? প্রয়োজনে কল করুন 09610-000360।",
        ("email", "en"): (
            "How is your {product}?",
            "Dear {first_name},\n\nThank you for shopping with {shop}. "
            "We hope your {product} is serving you well. If anything is not right, just reply "
            "to this email.\n\nWarm regards,\n{agent}\n{shop}",
        ),
    },
    "abandoned_cart": {
        (
            "whatsapp",
            "en",
        ): "Hi {first_name}! You left {product} in your cart at {shop}. It is still available - "
        "complete your order today and get {offer}.",
        ("whatsapp", "bn"): "{first_name}, আপনার কার্টে {product} রয়ে গেছে। আজই অর্ডার করুন, পাবেন {offer}।",
        (
            "sms",
            "en",
        ): "{shop}: {product} is waiting in your cart ({cart_value}). Order today for {offer}.",
        ("sms", "bn"): "{shop}: আপনার কার্টে {product} অপেক্ষা করছে। আজ অর্ডার করলে পাবেন {offer}।",
        ("email", "en"): (
            "Your cart is waiting",
            "Hi {first_name},\n\nYou left {product} in your cart. We kept "
            "it for you - finish your order and get {offer}.\n\n{agent}, {shop}",
        ),
    },
    "birthday_offer": {
        (
            "whatsapp",
            "en",
        ): "Happy birthday, {first_name}! 🎂 Everyone at {shop} wishes you a wonderful year. "
        "Here is a gift for you: {offer}.",
        ("whatsapp", "bn"): "শুভ জন্মদিন, {first_name}! 🎂 {shop}-এর পক্ষ থেকে আপনার জন্য উপহার: {offer}।",
        ("sms", "en"): "Happy birthday {first_name}! {shop} gift for you: {offer}.",
        ("sms", "bn"): "শুভ জন্মদিন {first_name}! {shop}-এর উপহার: {offer}।",
        ("email", "en"): (
            "A birthday gift from {shop}",
            "Dear {first_name},\n\nHappy birthday! To celebrate, "
            "enjoy {offer} on your next order.\n\nWith best wishes,\n{agent}",
        ),
    },
    "birthday_family": {
        (
            "whatsapp",
            "en",
        ): "Hi {first_name}! Happy birthday to your {relation} {person} from all of us at {shop}. "
        "If you are looking for a gift: {offer}.",
        ("whatsapp", "bn"): "{first_name}, আপনার {relation} {person}-কে {shop}-এর পক্ষ থেকে জন্মদিনের শুভেচ্ছা! "
        "উপহারের জন্য: {offer}।",
        ("sms", "en"): "Hi {first_name}! Happy birthday to your {relation} {person} from {shop}. Gift idea: {offer}.",
        ("email", "en"): (
            "Birthday wishes for {person}",
            "Dear {first_name},\n\nPlease pass on our warmest birthday wishes to your {relation} "
            "{person}. If you are looking for a gift: {offer}.\n\nWith best wishes,\n{agent}\n{shop}",
        ),
    },
    "anniversary_offer": {
        (
            "whatsapp",
            "en",
        ): "Happy anniversary, {first_name}! Celebrate with {shop}: {offer}.",
        ("whatsapp", "bn"): "শুভ বিবাহবার্ষিকী, {first_name}! {shop}-এর পক্ষ থেকে আপনাদের জন্য: {offer}।",
        ("sms", "en"): "Happy anniversary {first_name}! {shop} has {offer}.",
    },
    "restock": {
        (
            "whatsapp",
            "en",
        ): "Good news {first_name}: {product} is back in stock at {shop}. Shall I keep one for you?",
        ("whatsapp", "bn"): "সুখবর {first_name}! {product} আবার স্টকে এসেছে। আপনার জন্য একটি রেখে দেব?",
        ("sms", "en"): "{shop}: {product} is back in stock. Reply YES to reserve one.",
        ("email", "en"): (
            "{product} is back",
            "Hi {first_name},\n\n{product} is back in stock. Quantities are "
            "limited - reply to reserve yours.\n\n{agent}, {shop}",
        ),
    },
    "payment_failed": {
        (
            "whatsapp",
            "en",
        ): "Hi {first_name}, your payment for {product} did not go through. You can pay again "
        "with bKash, Nagad, card or cash on delivery - shall I send the link?",
        ("whatsapp", "bn"): "{first_name}, আপনার {product}-এর পেমেন্ট সম্পন্ন হয়নি। বিকাশ, নগদ, কার্ড বা ক্যাশ অন "
        "ডেলিভারিতে আবার চেষ্টা করতে পারেন। লিংক পাঠাব?",
        ("sms", "en"): "{shop}: payment for {product} failed. Retry with bKash/Nagad/card or choose COD.",
        ("email", "en"): (
            "Your payment did not go through",
            "Hi {first_name},\n\nThe payment for {product} "
            "failed. Nothing was charged. You can retry with bKash, Nagad, card or choose cash on "
            "delivery.\n\n{agent}, {shop}",
        ),
    },
    "thank_you": {
        (
            "whatsapp",
            "en",
        ): "Thank you for shopping with us, {first_name}! We hope you enjoy your {product}. - {agent}, {shop}",
        ("whatsapp", "bn"): "ধন্যবাদ {first_name}! আশা করি আপনার {product} ভালো লাগছে। - {agent}, {shop}",
        ("sms", "en"): "Thank you {first_name} for shopping with {shop}! Enjoy your {product}.",
        ("sms", "bn"): "ধন্যবাদ {first_name}! {shop} থেকে কেনাকাটার জন্য কৃতজ্ঞ।",
        ("email", "en"): (
            "Thank you for shopping with {shop}",
            "Dear {first_name},\n\nThank you for choosing {shop}. We hope "
            "your {product} serves you well; if anything is not right, just reply.\n\n{agent}",
        ),
        ("facebook", "en"): "Thanks a lot {first_name}! We hope you enjoy your {product} 😊",
        ("instagram", "en"): "Thank you {first_name}! Enjoy your {product} ✨",
    },
    "reactivation": {
        (
            "whatsapp",
            "en",
        ): "Hi {first_name}, we miss you at {shop}! New arrivals are in, and we kept {offer} for you.",
        ("whatsapp", "bn"): "{first_name}, অনেকদিন দেখা নেই! {shop}-এ নতুন কালেকশন এসেছে, আপনার জন্য {offer}।",
        ("sms", "en"): "{shop}: we miss you {first_name}! Come back for {offer}.",
        ("email", "en"): (
            "We miss you, {first_name}",
            "Hi {first_name},\n\nIt has been a while. Here is {offer} "
            "to welcome you back to {shop}.\n\n{agent}",
        ),
    },
}
# WhatsApp templates approved by Meta for use outside the 24-hour window (marketing/utility).
_APPROVED = {
    "order_follow_up",
    "abandoned_cart",
    "birthday_offer",
    "anniversary_offer",
    "restock",
    "payment_failed",
    "thank_you",
    "birthday_family",
}


def reply_templates() -> list[dict]:
    """Every template as column values for ``reply_templates``, in a stable order."""
    rows = []
    for topic, variants in _TEMPLATES.items():
        for (channel, language), text in variants.items():
            subject, body = text if isinstance(text, tuple) else (None, text)
            rows.append(
                {
                    "name": f"{topic}_{channel}_{language}",
                    "topic": topic,
                    "channel": channel,
                    "language": language,
                    "subject": subject,
                    "body": body,
                    "whatsapp_approved": channel == "whatsapp" and topic in _APPROVED,
                }
            )
    return rows


# Current offers: snippets tagged ``offer``, one occasion tag (birthday, anniversary, cart, win_back,
# promotion) and optionally an audience (kids, women, men, adults); the text fills ``{offer}``.
OFFERS = [
    ("Birthday offer", "10% off one order in the birthday week", "offer,birthday", "en"),
    ("Kids' birthday offer", "15% off toys, kids' clothing and school bags in the birthday week",
     "offer,birthday,kids", "en"),
    ("Anniversary offer", "12% off jewellery, sarees and gift sets this week", "offer,anniversary,adults", "en"),
    ("Cart offer", "free delivery on this order", "offer,cart", "en"),
    ("Welcome-back offer", "BDT 300 off your next order above BDT 2,000", "offer,win_back", "en"),
    ("জন্মদিনের অফার", "জন্মদিনের সপ্তাহে একটি অর্ডারে ১০% ছাড়", "offer,birthday", "bn"),
    ("শিশুদের জন্মদিনের অফার", "জন্মদিনের সপ্তাহে খেলনা ও শিশুদের পোশাকে ১৫% ছাড়", "offer,birthday,kids", "bn"),
    ("কার্ট অফার", "এই অর্ডারে ফ্রি ডেলিভারি", "offer,cart", "bn"),
    ("ফিরে আসার অফার", "২,০০০ টাকার বেশি অর্ডারে ৩০০ টাকা ছাড়", "offer,win_back", "bn"),
]

KNOWLEDGE = OFFERS + [
    (
        "Delivery times",
        "Inside Dhaka: 1-2 days (same day for orders before 12:00 in Gulshan, Banani, Dhanmondi). "
        "Outside Dhaka: 2-4 days by Pathao/RedX/Sundarban Courier. Delivery charge BDT 70 inside Dhaka, BDT 130 "
        "outside; free above BDT 3,000.",
        "delivery,shipping",
        "en",
    ),
    (
        "ডেলিভারি সময়",
        "ঢাকার ভিতরে ১-২ দিন, ঢাকার বাইরে ২-৪ দিন। ডেলিভারি চার্জ ঢাকায় ৭০ টাকা, বাইরে ১৩০ টাকা; ৩,০০০ টাকার বেশি অর্ডারে ফ্রি।",
        "delivery,shipping",
        "bn",
    ),
    (
        "Return policy",
        "Returns within 7 days of delivery for unused items with the tag on. Sarees and "
        "cosmetics are returnable only if sealed or defective. Refunds go back to the original payment method "
        "within 5-7 working days (bKash/Nagad within 48 hours).",
        "returns,refund",
        "en",
    ),
    (
        "ফেরত নীতি",
        "ডেলিভারির ৭ দিনের মধ্যে অব্যবহৃত পণ্য ফেরত দেওয়া যায়। রিফান্ড ৫-৭ কর্মদিবসে।",
        "returns,refund",
        "bn",
    ),
    (
        "Payment methods",
        "We accept bKash, Nagad, Rocket, Visa/Mastercard/Amex cards and cash on delivery (COD). "
        "COD is available in all 64 districts for orders up to BDT 20,000. EMI on cards for orders above "
        "BDT 5,000 (3-12 months, partner banks).",
        "payment,bkash,nagad,cod,card,emi",
        "en",
    ),
    ("পেমেন্ট পদ্ধতি", "বিকাশ, নগদ, রকেট, কার্ড এবং ক্যাশ অন ডেলিভারি গ্রহণ করা হয়।", "payment,bkash,nagad,cod", "bn"),
    (
        "Warranty",
        "Electronics carry the brand warranty (usually 1 year; TVs 3 years on the panel). Kitchen "
        "appliances: 6 months replacement warranty from Deshi Bazar. Keep the invoice; claims through any "
        "agent or the hotline 09610-000360.",
        "warranty,electronics,kitchen",
        "en",
    ),
    (
        "Failed payments",
        "If bKash/Nagad shows money deducted but the order says failed, the amount is "
        "reversed automatically within 72 hours. Offer to retry or switch to COD.",
        "payment_failed,bkash,nagad",
        "en",
    ),
    (
        "Exchanges and sizes",
        "Clothing and footwear can be exchanged for another size within 7 days; the "
        "exchange delivery is free once per order.",
        "exchange,size,fashion",
        "en",
    ),
    (
        "Wholesale and distributor terms",
        "Wholesale prices from 20 units per product; distributors get 30-day "
        "credit after three paid orders. Minimum wholesale order BDT 50,000.",
        "wholesale,b2b,distributor",
        "en",
    ),
    (
        "Loyalty programme",
        "1 point per BDT 100 spent on completed orders. Tiers: bronze, silver (500 points), "
        "gold (2,000), platinum (5,000). 100 points = BDT 100 off.",
        "loyalty,points",
        "en",
    ),
    (
        "Eid and Puja timing",
        "Order Eid and Puja outfits at least 10 days before the festival; couriers slow "
        "down in the last week.",
        "eid,puja,delivery",
        "en",
    ),
]

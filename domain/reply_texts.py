"""The product's own words for drafts no template fits, per topic class, in English and Bangla.

Each text uses the slots of ``domain.replies`` ({product}, {order}, {person}, {relation}, ...);
a ``[part]`` is dropped when one of its slots has no value, and a text whose bare slots cannot all
be filled is not used, so every sentence says only what the customer's records say.
"""
from __future__ import annotations

# class -> language -> body (the greeting and sign-off are added by the channel layout)
GENERIC: dict[str, dict[str, str]] = {
    "complaint": {
        "en": "We are very sorry for the trouble[ with {product}][ (your {order})]. We are looking into it "
              "now and will get back to you today with a solution.",
        "bn": "[{product} নিয়ে ]আপনার অসুবিধার জন্য আমরা আন্তরিকভাবে দুঃখিত। বিষয়টি আমরা এখনই দেখছি এবং আজই "
              "সমাধান জানাব।",
    },
    "thanks_purchase": {
        "en": "Thank you for buying {product}[ from {business}]! We hope you enjoy it. If anything is not right, "
              "just reply and we will sort it out.",
        "bn": "[{business} থেকে ]{product} কেনার জন্য ধন্যবাদ! আশা করি পণ্যটি আপনার ভালো লাগছে। কোনো সমস্যা হলে "
              "জানাবেন।",
    },
    "thanks": {
        "en": "Thank you so much for your kind message! It means a lot to all of us[ at {business}].",
        "bn": "আপনার সুন্দর মেসেজের জন্য অনেক ধন্যবাদ! [{business}-এর ]সবার পক্ষ থেকে শুভেচ্ছা।",
    },
    "cart": {
        "en": "You left {product} in your cart[ ({cart_value})]. It is still available, and we are happy to "
              "help you complete the order.[ {offer}.]",
        "bn": "আপনার কার্টে {product} রয়ে গেছে[ ({cart_value})]। অর্ডারটি সম্পন্ন করতে আমরা সাহায্য করতে পারি।",
    },
    "cart_value_only": {
        "en": "You left items worth {cart_value} in your cart. They are still available, and we are happy to "
              "help you complete the order.",
        "bn": "আপনার কার্টে {cart_value}-এর পণ্য রয়ে গেছে। অর্ডারটি সম্পন্ন করতে আমরা সাহায্য করতে পারি।",
    },
    "payment_failed": {
        "en": "Your payment for {product} did not go through[ ({cart_value})]. You can try again or choose "
              "cash on delivery, and we are happy to help.",
        "bn": "আপনার {product}-এর পেমেন্ট সম্পন্ন হয়নি। আবার চেষ্টা করতে পারেন অথবা ক্যাশ অন ডেলিভারি বেছে নিতে "
              "পারেন।",
    },
    "order_status_pending": {
        "en": "Your {order}[ of {product}] is being processed. We will let you know as soon as it ships.",
        "bn": "আপনার {order}[ ({product})] প্রক্রিয়াধীন আছে। পাঠানো হলেই আপনাকে জানাব।",
    },
    "order_status_done": {
        "en": "Our records show your {order}[ of {product}] from {order_date} as delivered. If it has not "
              "reached you, reply here and we will check with the courier today.",
        "bn": "আমাদের রেকর্ডে আপনার {order}[ ({product})] ডেলিভারি হয়েছে দেখাচ্ছে। আপনি না পেয়ে থাকলে জানান, "
              "আজই কুরিয়ারের সাথে কথা বলব।",
    },
    "order_confirmation": {
        "en": "Thank you for your {order}[ of {product}]! We have received it and will let you know as soon "
              "as it ships.",
        "bn": "আপনার {order}[ ({product})] আমরা পেয়েছি, ধন্যবাদ! পাঠানোর সাথে সাথে আপনাকে জানাব।",
    },
    "birthday_self": {
        "en": "Happy birthday from all of us[ at {business}]! Wishing you a wonderful year ahead.[ As a small "
              "gift: {offer}.]",
        "bn": "[{business}-এর ]সবার পক্ষ থেকে শুভ জন্মদিন! আপনার সামনের দিনগুলো আনন্দময় হোক।",
    },
    "birthday_family": {
        "en": "Happy birthday to your {relation} {person} from all of us[ at {business}]! Please pass on our "
              "warmest wishes.[ If you are looking for a gift: {offer}.]",
        "bn": "আপনার {relation} {person}-কে [{business}-এর ]সবার পক্ষ থেকে জন্মদিনের আন্তরিক শুভেচ্ছা!",
    },
    "anniversary_self": {
        "en": "Happy anniversary from all of us[ at {business}]! Wishing you both many happy years together."
              "[ To celebrate: {offer}.]",
        "bn": "[{business}-এর ]সবার পক্ষ থেকে শুভ বিবাহবার্ষিকী! আপনাদের একসাথে পথচলা আনন্দময় হোক।",
    },
    "anniversary_family": {
        "en": "Happy anniversary to your {relation} {person} from all of us[ at {business}]! Please pass on our "
              "warmest wishes.",
        "bn": "আপনার {relation} {person}-কে [{business}-এর ]পক্ষ থেকে বিবাহবার্ষিকীর শুভেচ্ছা!",
    },
    "back_in_stock": {
        "en": "Good news: {product} is back in stock. Let us know if you would like us to keep one for you.",
        "bn": "সুখবর! {product} আবার স্টকে এসেছে। আপনার জন্য একটি রেখে দেব কি না জানাবেন।",
    },
    "feedback": {
        "en": "We hope you are enjoying {product}. Could you tell us how it went? Your feedback helps us serve "
              "you better.",
        "bn": "আশা করি {product} আপনার ভালো লাগছে। কেমন লাগল জানালে আমরা আরও ভালো সেবা দিতে পারব।",
    },
    "loyalty": {
        "en": "You have {points} loyalty points[ and {tier} status]. You can use them on your next order.",
        "bn": "আপনার {points} লয়্যালটি পয়েন্ট আছে। পরের অর্ডারে এগুলো ব্যবহার করতে পারেন।",
    },
    "missed_call": {
        "en": "We tried to call you today[ about {product}]. When is a good time to call you back?",
        "bn": "আজ আমরা আপনাকে[ {product} নিয়ে] ফোন করেছিলাম। কখন ফোন করলে আপনার সুবিধা হবে জানাবেন?",
    },
    "win_back": {
        "en": "It has been a while since we last saw you[ at {business}], and we would love to welcome you back."
              "[ {offer}.]",
        "bn": "অনেকদিন আপনাকে দেখিনি, আবার আপনাকে স্বাগত জানাতে চাই।",
    },
    "product_followup": {
        "en": "You were looking at {product}. Would you like more details, photos or a price? Just reply to "
              "this message.",
        "bn": "আপনি {product} দেখছিলেন। আরও তথ্য, ছবি বা দাম জানতে চাইলে এই মেসেজের উত্তর দিন।",
    },
    "price_question": {
        "en": "Thanks for asking about {product}: the price is {price}. Reply and we will reserve one for you.",
        "bn": "{product}-এর দাম {price}। চাইলে আপনার জন্য একটি রেখে দিতে পারি।",
    },
    "promotion": {
        "en": "We wanted to tell you about {subject}[ at {business}].[ {offer}.] Would you like us to send you "
              "photos and prices?",
        "bn": "[{business}-এর ]{subject} সম্পর্কে আপনাকে জানাতে চাই।[ {offer}।] ছবি ও দাম পাঠাব?",
    },
    "delivery_question": {
        "en": "Thanks for asking about delivery[ for {product}].[ {knowledge}]",
        "bn": "ডেলিভারি নিয়ে জানতে চাওয়ার জন্য ধন্যবাদ।[ {knowledge}]",
    },
    "return_question": {
        "en": "Thanks for asking about returns[ for {product}].[ {knowledge}]",
        "bn": "[{product} ]ফেরত দেওয়ার বিষয়ে জানতে চাওয়ার জন্য ধন্যবাদ।[ {knowledge}]",
    },
    "payment_question": {
        "en": "Thanks for asking about payment options.[ {knowledge}]",
        "bn": "পেমেন্টের বিষয়ে জানতে চাওয়ার জন্য ধন্যবাদ।[ {knowledge}]",
    },
    "warranty_question": {
        "en": "Thanks for asking about the warranty[ for {product}].[ {knowledge}]",
        "bn": "[{product}-এর ]ওয়ারেন্টি নিয়ে জানতে চাওয়ার জন্য ধন্যবাদ।[ {knowledge}]",
    },
    "question": {
        "en": "Thank you for your question[ about {product}].[ {knowledge}]",
        "bn": "[{product} নিয়ে ]আপনার প্রশ্নের জন্য ধন্যবাদ।[ {knowledge}]",
    },
    "none": {
        "en": "We are getting in touch about {subject}. Please reply here if you have any questions; we are "
              "happy to help.",
        "bn": "{subject} নিয়ে আপনার সাথে যোগাযোগ করছি। কোনো প্রশ্ন থাকলে এখানে জানাবেন।",
    },
}
GENERIC["none_plain"] = {
    "en": "We wanted to get in touch with you. Please reply here if you have any questions; we are happy to help.",
    "bn": "আপনার সাথে যোগাযোগ করতে চাইছিলাম। কোনো প্রশ্ন থাকলে এখানে জানাবেন।",
}
# The honest answer when no knowledge snippet answers the customer's question.
WILL_CHECK = {"en": "I will check and come back to you today.",
              "bn": "আমি খোঁজ নিয়ে আজই আপনাকে জানাচ্ছি।"}

RELATION_BN = {("spouse", "female"): "স্ত্রী", ("spouse", "male"): "স্বামী", ("child", "female"): "মেয়ে",
               ("child", "male"): "ছেলে", ("parent", "female"): "মা", ("parent", "male"): "বাবা",
               ("sibling", "female"): "বোন", ("sibling", "male"): "ভাই", ("grandparent", "female"): "দাদি",
               ("grandparent", "male"): "দাদা"}
RELATION_BN_ANY = {"spouse": "জীবনসঙ্গী", "child": "সন্তান", "parent": "মা-বাবা", "sibling": "ভাইবোন",
                   "grandparent": "দাদা-দাদি", "other": "প্রিয়জন"}

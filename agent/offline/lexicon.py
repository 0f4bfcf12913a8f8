"""The sales desk's vocabulary: English, Banglish and common shorthand, as phrase tables.

Every table maps a phrase (lower-case words separated by spaces, as the tokenizer produces them;
``*`` matches up to three arbitrary words) to a value. The pipeline never matches raw regexes
against sentences: it tokenizes, then looks these phrases up (longest match first).
"""
from __future__ import annotations

from agent.offline.registry import (  # noqa: F401  (the tool names, re-exported for the slot code)
    CANCEL, DRAFT, DROPOFF, EVENTS, FAMILY, FIND, HELP, LIST, LOG, OOS, RFM, THANKS, V360,
)

# product-name words that never name a product alone ("the blue one", "a big order")
PRODUCT_MODIFIERS = {"blue", "red", "green", "black", "white", "pink", "grey", "gray", "gold", "silver", "small",
                     "big", "large", "medium", "mini", "pro", "max", "plus", "lite", "new", "set", "pack", "pcs"}
# words of a drop-off's label that are not its product ("add to cart of Blue Kettle")
CART_WORDS = {"add", "added", "to", "cart", "carts", "of", "checkout", "initiated", "payment", "failed", "the", "a",
              "abandoned", "drop", "off", "dropoff", "in", "his", "her", "bought", "he", "she", "had", "left"}
# --- slots ---------------------------------------------------------------------------------------
INTERACTION_TYPES: dict[str, str] = {
    **dict.fromkeys(
        ["call", "called", "calling", "phoned", "phone", "rang", "ring", "phone call", "fon",
         "phone dilam", "call dilam", "call korlam", "call korsi", "call disi", "phone korlam",
         "phone korsi", "voice call"], "call"),
    **dict.fromkeys(["whatsapp", "whatsapped", "wa", "whats app", "whatsapp call"], "whatsapp"),
    **dict.fromkeys(["sms", "text", "texted", "text message", "sms dilam", "smsed"], "sms"),
    **dict.fromkeys(["email", "emailed", "mail", "mailed", "e mail"], "email"),
    **dict.fromkeys(["meeting", "met", "meet", "zoom", "google meet", "had a meeting"], "meeting"),
    **dict.fromkeys(["facebook", "fb", "messenger", "fb page", "facebook page", "inbox"], "facebook"),
    **dict.fromkeys(["instagram", "insta", "ig", "insta dm"], "instagram"),
    **dict.fromkeys(
        ["in person", "visited", "came to the shop", "came to the store", "came to the showroom",
         "came in", "walked in", "walk in", "store visit", "shop visit", "showroom", "dokane",
         "visit korse", "eshechilo", "ashchilo", "came by", "dropped by", "dropped in", "stopped by", "popped in",
         "came over", "ran into", "bumped into", "at the showroom", "at our shop", "at our store",
         "into the shop", "into the store", "into the showroom", "into our shop", "popped into", "came into",
         "walked into", "dekha holo", "dekha hoise", "dekha hoyeche", "dekha korlam", "dekha korse", "at the shop", "at the store",
         "face to face", "visited the shop", "visited the store", "visited the showroom"], "in_person"),
}
# a call that happened (past tense); beats a place named in the same message
CALL_VERBS = {"called", "phoned", "rang", "phone dilam", "call dilam", "call korlam", "call korsi", "call disi",
              "phone korlam", "phone korsi"}
# in-person words that name a place, not a visit (a place they will come to)
IN_PERSON_PLACES = {"showroom", "dokane", "at the shop", "at the store"}
# spoke/talked say a conversation happened; at a sales desk that is a phone call unless a channel is named
TALK_WORDS = {"spoke", "spoken", "talked", "talk", "kotha", "discussed", "conversation", "chatted", "said",
              "bollo", "bolse", "told"}

OUTCOMES: dict[str, str] = {
    **dict.fromkeys(
        ["no answer", "not answered", "did not answer", "did not pick", "did not pick up",
         "not picking", "not picking up", "no response", "phone off", "phone was off",
         "switched off", "switch off", "phone switched off", "unreachable", "not reachable",
         "out of reach", "busy", "line busy", "voicemail", "dhore nai", "dhoreni", "dhorlo na",
         "dhore na", "dhorenai", "phone bondho", "bondho", "nobody picked", "no one picked",
         "did not receive", "not receiving", "call not received", "kept ringing", "no pick up",
         "did not respond", "no reply", "not responding", "unanswered", "reply dey nai", "reply dey ni",
         "reply dei nai", "reply koreni", "reply nai", "seen but no reply", "did not reply",
         # shorthand typed in a hurry
         "no ans", "no answr", "no ansr", "no resp", "didnt pick", "didnt pick up", "didnt answer", "didnt receive",
         "didnt respond", "didnt reply", "not picked", "not received", "unreachable today"], "no_answer"),
    **dict.fromkeys(
        ["not interested", "no interest", "not keen", "does not want", "did not want",
         "declined", "refused", "lagbe na", "lagbe nai", "dorkar nai", "dorkar nei",
         "interested na", "interested noy", "no need", "said no", "nibe na", "kinbe na",
         "not buying", "uninterested", "already bought", "already purchased", "already ordered", "already has one",
         "bought elsewhere", "bought it elsewhere", "bought somewhere else", "bought from another",
         "bought from someone else", "onno jaygay", "onno jayga theke", "onno dokan"], "not_interested"),
    # "wrong number", "number changed": the call reached nobody it was meant for
    **dict.fromkeys(["wrong number", "wrong no", "number changed", "not his number", "not her number",
                     "bhul number", "vul number"], "other"),
    **dict.fromkeys(
        ["busy", "busy in a meeting", "in a meeting", "was in a meeting", "meeting e ache", "wants a callback", "wants callback", "wants a call back", "call back", "callback",
         "call me back", "call later", "asked to call back", "asked me to call back", "call again",
         "pore call", "pore phone", "pore kotha", "call back korte bolse", "requested a callback", "call him",
         "call her",
         "asked for a callback", "call him back", "call her back", "will call back"], "callback"),
    **dict.fromkeys(
        ["interested", "loved", "liked", "likes", "loves", "love", "keen", "wants to buy",
         "want to buy", "will buy", "positive", "pochondo", "pochondo hoise", "pochondo korse",
         "valo legeche", "bhalo legeche", "kinbe", "nibe", "asked about", "asked for price",
         "price jante chaise", "hot lead", "excited", "very interested", "thinking about"],
        "interested"),
    **dict.fromkeys(
        ["bought", "purchased", "ordered", "placed an order", "placed order", "order dise",
         "order disi", "order korse", "kinse", "kinlo", "kineche", "confirmed the order",
         "confirmed order", "paid", "payment done", "made a purchase", "sold", "order confirmed",
         "took the", "buy korse", "kine felse", "kine feleche", "kine nise", "kine niyeche", "kinechen"],
        "purchased"),
    **dict.fromkeys(
        ["complained", "complaint", "complain", "angry", "upset", "unhappy", "not happy",
         "problem", "broken", "damaged", "defective", "refund", "obhijog", "rag", "khushi na",
         "faulty", "not working"], "complaint"),
    **dict.fromkeys(["resolved", "fixed", "sorted", "solved", "issue resolved", "problem solved",
                     "somadhan", "sorted out"], "resolved"),
}
# when several outcomes are said, the most consequential one wins
OUTCOME_PRIORITY = ["purchased", "resolved", "complaint", "not_interested", "no_answer", "other", "callback",
                    "interested"]
# the agent's own plan ("call him back Friday") is a follow-up, an outcome only when nothing else was said
WEAK_CALLBACK = {"call back", "callback", "call him back", "call her back", "call again", "call them back",
                 "will call back"}
NEGATIONS = {"not", "no", "never", "nor"}

INBOUND = [
    "called me", "he called", "she called", "they called", "customer called", "called us",
    "called in", "got a call", "received a call", "got a call from", "inbound", "messaged me",
    "texted me", "emailed me", "whatsapped me", "came to the shop", "came to the store",
    "walked in", "came in", "came by", "dropped by", "phone korse", "call korse", "call dise",
    "phone dise", "knock dise", "reached out", "contacted us", "contacted me", "wrote to us",
    "wrote to me", "eshechilo", "ashchilo", "came to", "dropped in", "stopped by", "popped in", "got a whatsapp", "got a message", "got a msg", "got an email",
    "got a text", "got an sms", "got a mail", "received a whatsapp", "received a message", "received an email",
    "got whatsapp", "got message", "got a dm", "got a facebook message", "got an inbox",
    "sent us", "sent me", "rang us", "rang me", "messaged us", "texted us", "emailed us", "whatsapped us",
    "wrote us", "inbound call", "incoming call",
]

RELATIONSHIPS: dict[str, str] = {
    **dict.fromkeys(["wife", "husband", "spouse", "bou", "bouwe", "stri", "istri", "shami", "swami",
                     "begum", "partner", "missus", "hubby", "hubbie", "wifey", "better half"], "spouse"),
    **dict.fromkeys(["son", "daughter", "child", "kid", "chele", "meye", "baccha", "pola", "maiya",
                     "sons", "daughters", "children", "kids", "baby"], "child"),
    **dict.fromkeys(["mother", "father", "mom", "dad", "mum", "ammu", "abbu", "amma", "abba",
                     "baba", "mommy", "daddy", "mother in law", "father in law", "shashuri",
                     "shoshur"], "parent"),
    **dict.fromkeys(["brother", "sister", "bhai", "bon", "sis", "bro", "chhoto bhai", "boro bhai",
                     "choto bhai", "chhoto bon", "choto bon", "boro bon", "sibling"], "sibling"),
    **dict.fromkeys(["grandmother", "grandfather", "grandma", "grandpa", "nana", "nani", "dada",
                     "dadi", "granny", "grandparent"], "grandparent"),
    **dict.fromkeys(["uncle", "aunt", "aunty", "auntie", "cousin", "nephew", "niece", "son in law",
                     "daughter in law", "mama", "mami", "khala", "khalu", "chacha", "chachi",
                     "fupu", "jamai", "bouma", "friend"], "other"),
}
# honorifics that end a family member's name ("Rokeya Begum" keeps "Begum")
SOCIAL_HONORIFICS = {"bhai", "bhaiya", "vai", "vaiya", "apu", "apa", "afa", "bhabi", "vabi", "bhabhi", "sir",
                     "madam", "mam", "maam", "sahib", "saheb", "shaheb", "ji", "uncle", "aunty", "auntie"}
# words that are honorifics after a name ("rahim bhai") but relationships after "his"/"her"
HONORIFIC_RELATIONS = {"bhai", "apu", "dada", "bon"}

HONORIFICS = {
    "bhai", "bhaiya", "vai", "vaiya", "apu", "apa", "afa", "bhabi", "vabi", "bhabhi", "sir", "madam",
    "mam", "maam", "mr", "mrs", "ms", "miss", "sahib", "saheb", "shaheb", "ji", "uncle", "aunty",
    "auntie", "dr", "md", "mohammad", "mohammed", "muhammad", "mst", "mosammat", "begum", "sheikh",
}
# suffixes Banglish glues onto names: rahimer (rahim's), rahimke (to rahim), apur (apu's)
NAME_SUFFIXES = ("er", "ke", "re", "r")

CHANNELS: dict[str, str] = {
    **dict.fromkeys(["whatsapp", "wa", "whats app", "whatsapp message"], "whatsapp"),
    **dict.fromkeys(["sms", "text", "text message", "sms message"], "sms"),
    **dict.fromkeys(["email", "mail", "e mail"], "email"),
    **dict.fromkeys(["instagram", "insta", "ig", "insta dm"], "instagram"),
    **dict.fromkeys(["facebook", "fb", "messenger", "fb message"], "facebook"),
}
TONES: dict[str, str] = {
    **dict.fromkeys(["friendly", "casual", "informal", "warm tone", "nice", "fun", "cheerful",
                     "warmly"], "friendly"),
    **dict.fromkeys(["formal", "professional", "polite", "respectful", "official", "formally",
                     "politely"], "formal"),
    **dict.fromkeys(["apologetic", "apology", "apologies", "apologise", "apologize", "apologising",
                     "apologizing", "sorry", "say sorry", "dukkho prokash", "khoma chaowa", "maf chaowa"],
                    "apologetic"),
}
LANGUAGES: dict[str, str] = {
    **dict.fromkeys(["bangla", "bengali", "bangla te", "banglay", "in bangla", "in bengali",
                     "bangla language", "banglish"], "bn"),
    **dict.fromkeys(["english", "in english", "english e", "engreji"], "en"),
}
SEGMENTS: dict[str, str] = {
    **dict.fromkeys(["champions", "champion", "champs", "best customers", "top customers", "best buyers"],
                    "Champions"),
    **dict.fromkeys(["loyal customers", "loyal customer", "loyal", "loyals", "loyalists"],
                    "Loyal Customers"),
    **dict.fromkeys(["potential loyalists", "potential loyalist", "potential"], "Potential Loyalists"),
    **dict.fromkeys(["new customers", "new customer", "new ones", "newcomers"], "New Customers"),
    **dict.fromkeys(["at risk", "at-risk", "atrisk", "risky", "risk", "at risk customers", "stopped buying",
                     "stopped coming", "stopped coming back", "stopped ordering", "stopped shopping",
                     "used to buy", "used to spend", "used to order", "slipping away", "drifting away",
                     "going cold", "not buying anymore", "not coming back", "ar kinche na", "ar ashe na",
                     "ar order dey na", "kena bondho"], "At Risk"),
    **dict.fromkeys(["lost", "lost customers", "churned", "gone"], "Lost"),
    **dict.fromkeys(["vip", "vips", "vvip"], "VIP"),
}
TEMPERATURES: dict[str, str] = {
    **dict.fromkeys(["hot", "hottest", "gorom"], "hot"),
    **dict.fromkeys(["warm"], "warm"),
    **dict.fromkeys(["cold", "thanda"], "cold"),
}
LIFECYCLE: dict[str, str] = {
    **dict.fromkeys(["lead", "leads", "new leads"], "lead"),
    **dict.fromkeys(["prospect", "prospects"], "prospect"),
    **dict.fromkeys(["first buyer", "first buyers", "first time buyers", "first time buyer",
                     "first-time buyers"], "first_buyer"),
    **dict.fromkeys(["repeat buyer", "repeat buyers", "repeat customers"], "repeat_buyer"),
    **dict.fromkeys(["loyal", "loyal customers"], "loyal"),
    **dict.fromkeys(["inactive", "dormant", "inactive customers"], "inactive"),
}
MINE = ["my customers", "my customer", "my list", "my * customers", "my * leads", "my * list", "assigned to me", "mine", "amar customer",
        "amar customers", "amar list", "my own", "my leads", "my accounts", "my people", "my clients", "my ones",
        "my guys", "amar gula", "amar gulo", "amar gulai", "amar client", "amar clients"]

PRONOUNS = {
    "him", "his", "he", "her", "she", "hers", "them", "they", "their", "tar", "take", "oke", "uni",
    "unake", "onake", "tini", "onar", "unar", "or", "ore", "tahake",
}
CONTEXT_PHRASES = ["this customer", "that customer", "the customer", "same customer", "same guy",
                   "this guy", "that guy", "this lady", "that lady", "same one", "same person"]

YES = {"yes", "yeah", "yep", "ya", "ha", "haan", "hya", "ji", "jee", "ok", "okay", "sure", "correct",
       "right", "thik", "thik ache", "same", "that one", "him", "her"}

STOPWORDS = {
    "a", "an", "the", "to", "with", "for", "of", "on", "in", "at", "by", "and", "or", "but", "is", "was",
    "were", "be", "been", "am", "are", "i", "me", "my", "we", "us", "our", "you", "your", "it", "its",
    "this", "that", "these", "those", "please", "pls", "plz", "can", "could", "would", "should", "will",
    "shall", "do", "does", "did", "just", "also", "then", "so", "too", "very", "really", "ok", "okay",
    "now", "again", "about", "from", "up", "out", "what", "which", "who", "whom", "how", "when",
    "where", "why", "all", "any", "some", "there", "here", "has", "have", "had", "get", "got", "want",
    "wants", "need", "needs", "let", "lets", "make", "give", "go", "one", "ones", "new", "more",
    "customer", "customers", "client", "clients", "people", "person", "today", "if", "as", "said",
    "says", "told", "asked", "back", "later", "next", "last", "week", "day", "days", "time",
    "ke", "er", "re", "ar", "ta", "ti", "te", "o", "je", "ki", "na", "nai", "ei", "oi", "ami", "amar",
    "amake", "apni", "apnar", "tumi", "tomar", "se", "ora", "tara", "hoy", "hobe", "hoise", "korlam",
    "korbo", "dibo", "dilam", "dao", "den", "theke", "sathe", "shathe", "jonno", "kintu", "abar",
    "ekta", "kono", "kichu", "bhalo", "valo", "ache", "chilo", "korse", "bolse", "bollo", "koro",
    "koren", "kore", "hoye", "holo", "jabe", "ase", "aso", "ja", "jeta", "kotha", "bol", "bolo",
    "hi", "hello", "hey", "thanks", "yes", "no", "not", "note", "notes", "called", "named", "name",
    # Banglish verb forms that follow "call" / "phone" and are never a person ("call dite hobe")
    "dite", "dile", "dibe", "dise", "diye", "korte", "korle", "korbe", "lagbe", "chaise", "chay", "dio",
}
# drop-offs are recovered one named customer at a time, never in bulk
MASS_WORDS = {"all", "every", "everyone", "everybody", "everything", "each", "entire", "bulk", "sob", "shob",
              "sobar", "shobar", "sokol", "sokoler"}
# words that ask for a detail ("his wife's mobile"); never a family member's name
CONTACT_WORDS = {"mobile", "number", "numbers", "no", "cell", "contact", "contacts", "details", "detail", "info",
                 "phone", "email", "address", "whatsapp"}
# a message opening with these asks for something; it never adds a record ("what's his wife's number?")
QUESTION_LEADS = {"what", "whats", "who", "whose", "which", "where", "when", "how", "tell", "show", "give",
                  "list", "share", "send", "find", "get", "lookup", "check", "see", "view", "display", "summarize",
                  "summarise", "recap", "dekhao", "dekhan"}
# everyday English words one letter away from a keyword: never "corrected" ("bulk rate" is not "raate" = night)
# everyday Banglish words (Latin letters) that are never the rest of a customer's name
BANGLISH_WORDS = {
    "ami", "amra", "tumi", "apni", "uni", "tini", "se", "ora", "tara", "onara", "amader", "tomar", "apnar", "oder",
    "kon", "konta", "konti", "kemon", "keno", "ki", "kii", "kothay", "koto", "kobe", "kivabe", "kibhabe",
    "onek", "khub", "beshi", "kom", "ektu", "shob", "sob", "sobai", "kichu", "kisu", "ekta", "ekti", "duita",
    "khushi", "valo", "bhalo", "kharap", "notun", "purono", "boro", "choto", "dami", "shosta", "sasta",
    "ekhon", "akhon", "ajo", "ajke", "porer", "age", "pore", "tokhon", "abar", "arekbar", "ekbar", "shesh",
    "kintu", "ar", "tai", "jodi", "tahole", "karon", "mane", "hoyto", "obossoi", "obosshoi", "thik", "accha",
    "dam", "taka", "jinish", "mal", "product", "order", "delivery", "bolse", "bolche", "bollo", "boleche",
    "chaise", "chay", "chai", "chaiche", "lagbe", "dorkar", "hobe", "hoy", "hoye", "hoyeche", "hoise", "gese",
    "geche", "ashbe", "asbe", "jabe", "dekhbe", "dekhse", "dekhte", "dekhechilo", "niye", "diye", "theke",
    "porjonto", "sathe", "shathe", "jonno", "kore", "korbe", "korse", "korche", "korte", "dite", "nite",
    "toh", "to", "na", "nai", "ni", "naki", "nah", "haan", "ha", "ji", "jee", "hmm", "okay", "ok",
    "kine", "felse", "feleche", "nise", "niyeche", "dokane", "dokan", "ashchilo", "eshechilo", "gelo", "eshe",
    "dekha",
}
# chat shorthand that is never part of a name
SHORTHAND = {"abt", "abou", "bout", "reg", "regd", "pls", "plz", "plss", "msg", "msgs", "txt", "thx", "thnx", "tnx",
             "coz", "cuz", "bcz", "bcoz", "becoz", "wud", "shud", "cud", "gonna", "wanna", "gotta", "asap", "fyi",
             "btw", "tmrw", "tmr", "tom", "nxt", "wk", "yday", "yest", "abit", "ppl", "smth", "sth", "nd", "n",
             "u", "ur", "r", "ya", "yeah", "yep", "nope", "nah", "kk", "okk", "okey", "oky", "pm", "am"}
# chat spellings read as the word they stand for before anything else looks at a message
CHAT_SPELLINGS = {
    "shud": "should", "shld": "should", "cal": "call", "wud": "would", "cud": "could", "u": "you", "ur": "your",
    "tmrow": "tomorrow", "tmorow": "tomorrow", "nxt": "next", "ppl": "people", "wht": "what", "wat": "what",
    "hw": "how", "whos": "who", "custmer": "customer", "custmers": "customers", "cust": "customer", "lst": "list",
}
PLAIN_WORDS = {"rate", "rates", "late", "mate", "hate", "gate", "rated", "raw", "calm", "cell", "coll", "fone",
               "chase", "chasing", "stats", "stat", "ringing", "phoning", "dialing", "figures", "metrics"}
# a message opening with these (or ending in "?") is a question: it reads, it never writes unless it
# also says a write command ("can you log a call with Rahim?")
QUESTION_OPENERS = {"what", "whats", "who", "whom", "whose", "which", "where", "why", "how", "any", "is", "are",
                    "does", "did", "has", "kono", "kobe", "keno", "koto", "kon", "kothay", "kar", "kake", "kader"}
# "when" opens a question only before an auxiliary ("when is ..."); "when I called him ..." tells a story
AUXILIARIES = {"is", "was", "are", "were", "did", "does", "do", "will", "should", "can", "could", "has", "have"}
# Banglish question particles closing a sentence: "Fatema r cart ache naki", "kinse kina"
QUESTION_TAILS = {"ki", "kina", "naki", "kii"}
# a question reported inside a log ("she asked if it can be delivered?") is not the agent's question
REPORTED_SPEECH = {"asked", "asking", "asks", "jiggesh", "jigges", "jante", "wondering", "wanted", "wants"}
# verbs that order a write; they make a question-shaped message a request ("could you add his wife?")
WRITE_COMMANDS = {"log", "add", "mark", "record", "save", "put", "enter", "register", "tag", "untag", "unsubscribe",
                  "pin"}
# words before the first one that do not change what the message is ("ok so what's ...")
LEAD_FILLERS = {"ok", "okay", "so", "and", "acha", "accha", "achha", "hmm", "um", "well", "also", "btw", "bhai",
                "apu", "please", "pls", "plz", "hey", "hi", "then", "now", "quick", "question"}
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "a": 1, "an": 1,
    "couple": 2, "few": 3, "ek": 1, "dui": 2, "tin": 3, "char": 4, "panch": 5, "choy": 6, "sat": 7,
    "aat": 8, "noy": 9, "dosh": 10,
}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "1st": 1, "2nd": 2,
            "3rd": 3, "4th": 4, "5th": 5, "last": -1}
# Banglish ordinals (Bangla script maps onto these in ``agent.offline.bangla``), also glued to the
# counters "ta" / "jon" / "tar" as typed ("prothomta", "ditiyojon")
_BANGLISH_ORDINALS = {
    **dict.fromkeys(["prothom", "prothome", "prathom", "protom"], 1),
    **dict.fromkeys(["ditiyo", "dwitiyo", "dvitiyo", "dityo", "ditio", "dutiyo"], 2),
    **dict.fromkeys(["tritiyo", "tritio", "tritiya", "tritto"], 3),
    **dict.fromkeys(["choturtho", "chaturtho", "choturto"], 4),
    **dict.fromkeys(["ponchom", "pancham", "ponchomo"], 5),
    **dict.fromkeys(["shesh", "shesher", "sesh"], -1),
}
ORDINALS.update(_BANGLISH_ORDINALS)
ORDINALS.update({word + counter: n for word, n in _BANGLISH_ORDINALS.items() for counter in ("ta", "jon", "tar")})
# nouns after an ordinal that point at a row of a list (English and Banglish)
ROW_NOUNS = {"one", "customer", "person", "guy", "lady", "jon", "ta", "name", "entry", "on"}
CITY_ALIASES = {
    "chittagong": "chattogram", "ctg": "chattogram", "comilla": "cumilla", "barisal": "barishal",
    "jessore": "jashore", "bogra": "bogura", "dacca": "dhaka", "dhk": "dhaka", "syl": "sylhet",
}

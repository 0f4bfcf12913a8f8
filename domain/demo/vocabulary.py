"""Words of the demo world: Bangladeshi names, places, professions and the phrases agents write.

Names are common Bangladeshi names in their usual English spelling, with the Bangla script for
some, so a few customers carry a Bangla-script name as they would in a real CRM. Several first
names repeat on purpose (many Rahims, many Fatemas): telling them apart is part of the job.
"""
from __future__ import annotations

# (latin, bangla) ; bangla None when the demo never writes that name in Bangla script
MALE_FIRST = [
    ("Rahim", "রহিম"), ("Karim", "করিম"), ("Tanvir", "তানভীর"), ("Imran", "ইমরান"), ("Sakib", "সাকিব"),
    ("Arif", "আরিফ"), ("Mahmud", "মাহমুদ"), ("Rashed", "রাশেদ"), ("Habib", "হাবিব"), ("Jahid", "জাহিদ"),
    ("Nayeem", "নাঈম"), ("Shafiq", "শফিক"), ("Anwar", "আনোয়ার"), ("Kamal", "কামাল"), ("Jamal", "জামাল"),
    ("Faisal", "ফয়সাল"), ("Sohel", "সোহেল"), ("Mizan", "মিজান"), ("Rakib", "রাকিব"), ("Shahin", "শাহীন"),
    ("Mehedi", "মেহেদী"), ("Farhan", "ফারহান"), ("Tareq", "তারেক"), ("Masud", "মাসুদ"), ("Zahid", None),
    ("Ashraf", None), ("Nazmul", None), ("Rezaul", None), ("Shamim", None), ("Monir", None),
    ("Abdullah", None), ("Ridwan", None), ("Ayaan", None), ("Tahmid", None), ("Sabbir", None),
]
FEMALE_FIRST = [
    ("Fatema", "ফাতেমা"), ("Nusrat", "নুসরাত"), ("Ayesha", "আয়েশা"), ("Sadia", "সাদিয়া"), ("Tania", "তানিয়া"),
    ("Sharmin", "শারমিন"), ("Nasrin", "নাসরিন"), ("Rokeya", "রোকেয়া"), ("Jannat", "জান্নাত"), ("Taslima", "তাসলিমা"),
    ("Farzana", "ফারজানা"), ("Sumaiya", "সুমাইয়া"), ("Mim", "মিম"), ("Lamia", "লামিয়া"), ("Rumana", "রুমানা"),
    ("Shirin", "শিরিন"), ("Nabila", "নাবিলা"), ("Tahmina", "তাহমিনা"), ("Kulsum", "কুলসুম"), ("Parvin", "পারভীন"),
    ("Israt", None), ("Mahjabin", None), ("Anika", None), ("Sabrina", None), ("Munira", None),
    ("Tasnim", None), ("Raisa", None), ("Afroza", None), ("Shathi", None), ("Moushumi", None),
]
# Surnames with the genders they usually go with ("Begum", "Akter" and "Khatun" are women's).
SURNAMES = [
    ("Uddin", "উদ্দিন", "m"), ("Ahmed", "আহমেদ", "mf"), ("Hossain", "হোসেন", "mf"), ("Islam", "ইসলাম", "mf"),
    ("Rahman", "রহমান", "mf"), ("Chowdhury", "চৌধুরী", "mf"), ("Khan", "খান", "mf"), ("Akter", "আক্তার", "f"),
    ("Begum", "বেগম", "f"), ("Khatun", "খাতুন", "f"), ("Sarker", "সরকার", "mf"), ("Miah", "মিয়া", "m"),
    ("Haque", "হক", "mf"), ("Alam", "আলম", "mf"), ("Karim", None, "mf"), ("Siddique", None, "mf"),
    ("Talukder", None, "mf"), ("Bhuiyan", None, "mf"), ("Mollah", None, "m"), ("Sheikh", None, "mf"),
    ("Jahan", "জাহান", "f"), ("Sultana", "সুলতানা", "f"), ("Kabir", None, "m"), ("Hasan", "হাসান", "mf"),
]
# Hindu and Buddhist families: first names go with their own surnames.
HINDU_MALE = ["Sujon", "Pradip", "Amit", "Ripon", "Shuvo", "Tapan", "Biplob", "Anik"]
HINDU_FEMALE = ["Puja", "Rupa", "Mitu", "Shampa", "Priya", "Dipa", "Ananya", "Trisha"]
HINDU_SURNAMES = ["Das", "Saha", "Roy", "Ghosh", "Dey", "Paul", "Sen", "Barua", "Chakraborty", "Biswas"]

# (city, district, weight, neighbourhoods) - weights follow where online shoppers live.
CITIES = [
    ("Dhaka", "Dhaka", 34, ["Dhanmondi", "Gulshan", "Mirpur", "Uttara", "Mohammadpur", "Banani", "Bashundhara",
                           "Motijheel", "Badda", "Rampura", "Wari", "Old Dhaka"]),
    ("Chattogram", "Chattogram", 12, ["Agrabad", "GEC Circle", "Nasirabad", "Halishahar", "Khulshi", "Panchlaish"]),
    ("Gazipur", "Gazipur", 6, ["Tongi", "Joydebpur", "Board Bazar", "Konabari"]),
    ("Narayanganj", "Narayanganj", 5, ["Chashara", "Fatullah", "Siddhirganj"]),
    ("Sylhet", "Sylhet", 5, ["Zindabazar", "Ambarkhana", "Shibganj", "Uposhohor"]),
    ("Khulna", "Khulna", 4, ["Sonadanga", "Boyra", "Khalishpur", "Daulatpur"]),
    ("Rajshahi", "Rajshahi", 4, ["Shaheb Bazar", "Uposhohor", "Kazla", "Laxmipur"]),
    ("Cumilla", "Cumilla", 3, ["Kandirpar", "Tomsom Bridge", "Jhawtola"]),
    ("Mymensingh", "Mymensingh", 3, ["Ganginarpar", "Charpara", "Kewatkhali"]),
    ("Barishal", "Barishal", 2, ["Sadar Road", "Nathullabad", "Band Road"]),
    ("Rangpur", "Rangpur", 2, ["Jahaj Company More", "Shapla Chattar", "Dhap"]),
    ("Bogura", "Bogura", 2, ["Satmatha", "Sherpur Road", "Malatinagar"]),
    ("Savar", "Dhaka", 3, ["Savar Bazar", "Ashulia", "Hemayetpur"]),
    ("Cox's Bazar", "Cox's Bazar", 1, ["Kolatoli", "Laboni Point", "Bazarghata"]),
    ("Jashore", "Jashore", 2, ["Doratana", "Chowrasta", "Palbari"]),
    ("Feni", "Feni", 1, ["Trunk Road", "Mohipal"]),
    ("Noakhali", "Noakhali", 1, ["Maijdee", "Chowmuhani"]),
    ("Tangail", "Tangail", 1, ["Akur Takur", "Sabalia"]),
    ("Dinajpur", "Dinajpur", 1, ["Balubari", "Munshipara"]),
    ("Brahmanbaria", "Brahmanbaria", 1, ["Kawtoli", "Medda"]),
]

PROFESSIONS = [
    "Teacher", "Banker", "Software Engineer", "Doctor", "Garments Merchandiser", "Businessman", "Shop Owner",
    "Student", "Homemaker", "Government Officer", "NGO Worker", "Pharmacist", "Architect", "Lawyer",
    "Nurse", "Freelancer", "Journalist", "Engineer", "Accountant", "Army Officer",
]
WHOLESALE_COMPANIES = [
    "Bismillah Traders", "Madina Store", "Al-Amin Enterprise", "Shapla Fashion House", "Rupali Kitchen Mart",
    "Noor Electronics", "Padma Distribution", "Meghna Cosmetics", "Jamuna Saree Ghor", "Karnaphuli Traders",
    "Sonali Bazar", "Taj Panjabi Corner", "Green Grocery BD", "Barakah Wholesale", "Surma Trading Co.",
]
SOURCES = [("facebook", 34), ("website", 22), ("walk_in", 12), ("referral", 10), ("instagram", 8),
           ("daraz", 7), ("phone", 5), ("event", 2)]
BEST_TIMES = [None, None, "morning", "afternoon", "evening", "after 18:00", "10:00-13:00", "18:00-21:00",
              "after Jumma", "lunch break 13:00-14:00"]
QUIET_HOURS = [("22:00", "08:00"), ("21:00", "09:00"), ("23:00", "07:00"), ("22:30", "09:30"), ("13:00", "15:00")]
EMAIL_DOMAINS = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "ymail.com"]
# Mobile operator prefixes (Grameenphone 017/013, Robi 018, Airtel 016, Banglalink 019/014, Teletalk 015)
MOBILE_PREFIXES = [("17", 34), ("13", 12), ("18", 16), ("16", 10), ("19", 18), ("14", 6), ("15", 4)]

TAGS = [
    "eid-shopper", "saree-lover", "bulk-buyer", "prefers-cod", "prefers-bkash", "gift-buyer", "price-sensitive",
    "early-adopter", "puja-shopper", "wedding-season", "corporate-gifting", "returns-often", "loves-new-arrivals",
    "whatsapp-first", "referral-champion", "dhaka-express",
]
SEARCH_QUERIES = [
    "jamdani saree", "rice cooker price", "eid panjabi", "non stick fry pan", "blender 1000w", "lipstick matte",
    "smart watch", "katan saree red", "baby dress", "air fryer", "mustard oil 5 litre", "kids panjabi",
    "bluetooth earbuds", "sunscreen spf 50", "three piece cotton", "pressure cooker 5l", "ghee 1kg",
]
DROPOFF_REASONS = {
    "product_view": ["compared prices on Daraz", "waiting for Eid discount", "wanted a different colour", None],
    "add_to_cart": ["delivery charge too high", "cart left after price check", "wanted to ask family first",
                    "out of stock in the size", None],
    "checkout_initiated": ["COD not available for the area", "address form confusing", "delivery date too late",
                           "promo code did not work"],
    "payment_failed": ["bKash payment timed out", "Nagad OTP not received", "card declined by bank",
                       "insufficient balance in bKash"],
}
TICKET_SUBJECTS = [
    "Late delivery", "Wrong size delivered", "Refund not received", "Damaged product on arrival",
    "bKash payment deducted twice", "Warranty claim", "Change delivery address", "Missing item in parcel",
    "Exchange request", "Invoice copy needed",
]
NOTE_BODIES = [
    "Prefers bKash payment; do not offer COD.", "Call after 6 pm, busy at the office before that.",
    "Buys gifts for her sister's family every Eid.", "Asked to be told when Jamdani stock arrives.",
    "Runs a small shop; interested in wholesale prices.", "Had a bad experience with courier; use Pathao.",
    "Speaks Bangla on the phone; prefers English in email.", "Very price-sensitive: lead with the discount.",
    "Loyal since the first Boishakh sale.", "Husband usually picks up the phone; ask for her by name.",
]
OPPORTUNITY_NAMES = [
    "Eid bulk order - panjabi", "Puja season saree stock", "Winter kitchenware restock", "Corporate gift hampers",
    "Cosmetics distribution - quarterly", "Wedding season saree consignment", "Electronics resale deal",
    "Grocery monthly supply contract", "Boishakh collection pre-order",
]

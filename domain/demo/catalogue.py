"""The demo retailer's catalogue: categories and products with BDT prices a Bangladeshi shop would charge."""

from __future__ import annotations

CATALOGUE: dict[str, list[tuple[str, int]]] = {
    "Kitchen": [
        ("Blue Kettle", 4500),
        ("Electric Kettle 1.8L", 1650),
        ("Rice Cooker 2.8L", 3200),
        ("Pressure Cooker 5L", 2850),
        ("Non-stick Fry Pan 26cm", 1450),
        ("Blender 1000W", 5400),
        ("Air Fryer 4L", 9800),
        ("Stainless Steel Dinner Set (32 pcs)", 6900),
        ("Melamine Plate Set", 1850),
        ("Gas Stove Double Burner", 7600),
        ("Spice Box Set", 850),
        ("Tiffin Carrier 3-tier", 650),
        ("Knife Set with Block", 1950),
        ("Glass Water Jug", 450),
        ("Chopping Board Bamboo", 390),
    ],
    "Electronics": [
        ('Smart LED TV 43"', 42500),
        ("Bluetooth Earbuds", 2450),
        ("Smart Watch Series 5", 5900),
        ("Power Bank 20000mAh", 2150),
        ("Android Phone 128GB", 21900),
        ("Wi-Fi Router Dual Band", 3350),
        ('Ceiling Fan 56"', 4650),
        ("Rechargeable Table Fan", 3900),
        ("Room Heater", 2800),
        ("Electric Iron", 1550),
        ("Hair Dryer", 1350),
        ("IPS 600VA", 11800),
        ("LED Bulb Pack (4)", 720),
    ],
    "Fashion": [
        ("Cotton Three Piece", 2450),
        ("Lawn Three Piece", 3250),
        ("Kurti Printed", 1150),
        ("Ladies Handbag", 2250),
        ("Men's Polo Shirt", 990),
        ("Denim Jeans", 1650),
        ("Hijab Georgette", 450),
        ("Winter Shawl Kashmiri", 1950),
        ("Kids Party Dress", 1750),
        ("Men's Formal Shirt", 1450),
    ],
    "Sarees": [
        ("Jamdani Saree", 12500),
        ("Katan Saree Red", 9800),
        ("Tangail Cotton Saree", 2650),
        ("Silk Saree Rajshahi", 7400),
        ("Muslin Saree", 18500),
        ("Printed Georgette Saree", 2150),
        ("Benarasi Wedding Saree", 24000),
        ("Tant Saree Everyday", 1450),
    ],
    "Panjabi": [
        ("Eid Panjabi Premium", 3850),
        ("Cotton Panjabi", 1650),
        ("Silk Panjabi Embroidered", 4950),
        ("Kids Panjabi", 1150),
        ("Panjabi-Pajama Set", 2650),
        ("Koti Waistcoat", 2250),
    ],
    "Cosmetics": [
        ("Lipstick Matte", 650),
        ("Sunscreen SPF 50", 890),
        ("Face Wash Neem", 320),
        ("Kajal Pencil", 250),
        ("Perfume Oudh 50ml", 2450),
        ("Hair Oil Coconut 500ml", 380),
        ("Foundation Liquid", 1250),
        ("Skin Care Gift Box", 3450),
        ("Henna Cone Pack", 180),
        ("Body Lotion 400ml", 560),
    ],
    "Groceries": [
        ("Miniket Rice 25kg", 1950),
        ("Mustard Oil 5L", 1250),
        ("Soybean Oil 5L", 880),
        ("Pure Ghee 1kg", 1450),
        ("Chinigura Rice 5kg", 780),
        ("Red Lentils 5kg", 690),
        ("Tea Premium 500g", 310),
        ("Honey Sundarban 1kg", 1150),
        ("Dates Ajwa 1kg", 1650),
        ("Spice Combo Pack", 540),
    ],
    "Home Decor": [
        ("Nakshi Kantha Bedcover", 3850),
        ("Jute Rug 5x7", 2950),
        ("Curtain Set Blackout", 2250),
        ("Wall Clock Wooden", 1350),
        ("Bedsheet King Cotton", 1850),
        ("Cushion Cover Set (5)", 950),
    ],
    "Footwear": [
        ("Leather Sandal Men", 1650),
        ("Ladies Heel Sandal", 1450),
        ("Sneakers Running", 3250),
        ("Kids School Shoes", 1150),
        ("Kolhapuri Chappal", 850),
    ],
}

# A line the shop has just started (nobody in the demo's history bought from it yet): what a
# birthday offer for a baby or a young child can suggest.
NEW_LINES: dict[str, list[tuple[str, int]]] = {
    "Kids & Baby": [
        ("Baby Romper Set (3 pcs)", 1250),
        ("Baby Blanket Soft Cotton", 950),
        ("Teddy Bear Soft Toy", 850),
        ("Baby Feeding Set", 690),
        ("Building Blocks Set (100 pcs)", 1450),
        ("Bangla Rhymes Picture Book", 450),
        ("Remote Control Car", 2250),
        ("Kids School Bag", 1350),
    ],
}

# Who each product is for (domain.audience); a product not listed is for anyone.
AUDIENCE: dict[str, str] = {
    **{name: "women" for name in (
        "Cotton Three Piece", "Lawn Three Piece", "Kurti Printed", "Ladies Handbag", "Hijab Georgette",
        "Jamdani Saree", "Katan Saree Red", "Tangail Cotton Saree", "Silk Saree Rajshahi", "Muslin Saree",
        "Printed Georgette Saree", "Benarasi Wedding Saree", "Tant Saree Everyday", "Lipstick Matte",
        "Kajal Pencil", "Foundation Liquid", "Henna Cone Pack", "Ladies Heel Sandal")},
    **{name: "men" for name in (
        "Men's Polo Shirt", "Men's Formal Shirt", "Eid Panjabi Premium", "Cotton Panjabi",
        "Silk Panjabi Embroidered", "Panjabi-Pajama Set", "Koti Waistcoat", "Leather Sandal Men")},
    **{name: "adult" for name in (
        "Denim Jeans", "Winter Shawl Kashmiri", "Perfume Oudh 50ml", "Skin Care Gift Box",
        "Smart Watch Series 5", "Android Phone 128GB", "Sneakers Running")},
    "Kids Party Dress": "girls",
    "Kids Panjabi": "boys",
    **{name: "child" for name in (
        "Kids School Shoes", "Building Blocks Set (100 pcs)",
        "Bangla Rhymes Picture Book", "Remote Control Car", "Kids School Bag")},
    **{name: "baby" for name in (
        "Baby Romper Set (3 pcs)", "Baby Blanket Soft Cotton", "Teddy Bear Soft Toy", "Baby Feeding Set")},
}

# How likely a retail customer is to care most about a category (sets the demo's purchase mix).
CATEGORY_WEIGHTS = {
    "Kitchen": 16,
    "Electronics": 10,
    "Fashion": 16,
    "Sarees": 9,
    "Panjabi": 8,
    "Cosmetics": 15,
    "Groceries": 14,
    "Home Decor": 7,
    "Footwear": 5,
}

SKU_PREFIX = {
    "Kitchen": "KIT",
    "Electronics": "ELE",
    "Fashion": "FAS",
    "Sarees": "SAR",
    "Panjabi": "PAN",
    "Cosmetics": "COS",
    "Groceries": "GRO",
    "Home Decor": "HOM",
    "Footwear": "FOO",
    "Kids & Baby": "KID",
}


def products(lines: dict[str, list[tuple[str, int]]] = CATALOGUE) -> list[tuple[str, str, int, str]]:
    """Every product of ``lines`` (default: what the demo's history sells) as ``(category, name,
    price, sku)`` in a stable order."""
    rows = []
    for category, items in lines.items():
        for index, (name, price) in enumerate(items, start=1):
            rows.append((category, name, price, f"{SKU_PREFIX[category]}-{index:03d}"))
    return rows

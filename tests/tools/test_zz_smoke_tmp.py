from datetime import date
from tests.factories import make_customer, make_product, make_user, make_dropoff, make_interaction
from tests.tools.conftest import call, audit_rows

def test_smoke(make_ctx, build, sessions):
    ctx = make_ctx("Rina Akter", key="k1")
    def world(s):
        make_customer(s, "Rahim Uddin", phone="01712345678", city="Dhaka")
        make_customer(s, "Karim Uddin", phone="01812345678", city="Khulna")
        make_product(s, "Blue Kettle")
    build(world)
    r = call("log_interaction", {"customer": "rahim", "type": "Call", "notes": "loved the kettle",
        "products": ["blue kettle"], "follow_up_at": "2026-11-27", "outcome": "interested"}, ctx)
    print(r.text); print(r)
    r2 = call("log_interaction", {"customer": "rahim", "type": "Call", "notes": "loved the kettle"}, ctx)
    print(r2.text)
    r3 = call("log_interaction", {"customer": "Mr. Uddin", "type": "Call", "notes": "x"}, ctx.with_key("k2"))
    print(r3.text)
    r4 = call("add_family_member", {"customer": "rahim", "name": "Sarah Uddin", "relationship": "spouse", "date_of_birth": "1990-11-22"}, ctx.with_key("k3"))
    print(r4.text)
    r4 = call("add_family_member", {"customer": "rahim", "name": "sarah  uddin", "relationship": "spouse", "date_of_birth": "1990-11-22"}, ctx.with_key("k4"))
    print(r4.text)
    def w2(s):
        from domain.models import Customer
        c = s.get(Customer, 1)
        make_dropoff(s, c, at=date(2026,11,18), cart_value=5500)
    build(w2)
    r5 = call("mark_dropoff_recovered", {"customer": "01712-345678", "note": "bought"}, ctx.with_key("k5"))
    print(r5.text)
    r5 = call("mark_dropoff_recovered", {"dropoff_id": 1}, ctx.with_key("k6"))
    print(r5.text)
    r6 = call("find_customers", {"query": "uddin"}, ctx)
    print(r6.text)
    for a in audit_rows(sessions): print(a.action, a.entity, a.before, a.after)

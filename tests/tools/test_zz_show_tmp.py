from tests.tools.test_call_priority_list import *
def test_show(make_ctx, world):
    print(call("call_priority_list", {}, make_ctx("Rina Akter", agents_see_all_customers=False)).text)
def test_counts(make_ctx, build, engine):
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    for n, first_id in ((30, 1), (300, 1000)):
        build(lambda s: _bulk_world(s, n, first_id))
        ctx = make_ctx()
        statements.clear()
        r = call("call_priority_list", {"limit": 10}, ctx)
        print(len(statements)); print(r.text[:600])

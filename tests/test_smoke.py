from tests.conftest import sign_in


def test_sign_in_and_home(client, org, user_factory):
    user_factory("ada", ("admin", org.group))
    assert sign_in(client, "ada").status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    # The start page names the unit a role is granted on, but lists no units below it.
    assert "甲公司" not in page.get_data(as_text=True)
    units = client.get("/units").get_data(as_text=True)
    assert "示例集团" in units

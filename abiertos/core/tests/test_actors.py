from abiertos.core.actors import Actor


def test_only_actor_system_is_trusted_whatever_the_channel_name():
    assert Actor.system("cli").is_system
    assert not Actor(user=None, via="ckan").is_system
    assert not Actor(user=None, via="cli").is_system
    assert not Actor.anonymous().is_system
    assert Actor.system("demo").label == "sistema"
    assert Actor(user=None, via="harvest").label == "anónimo"

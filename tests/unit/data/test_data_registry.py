"""The data-set registry: one `@register_dataset` next to a loader is all a new data set needs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from ganad.data import Dataset, list_datasets, load_dataset, load_split, sources
from ganad.data.sources import DatasetInfo, RemoteFile, register_dataset


@pytest.fixture
def toy_registered() -> Iterator[DatasetInfo]:
    """A data set registered the way a loader module does it, removed again afterwards."""
    info = DatasetInfo(
        "toyset",
        "toy rows; the last 5 are anomalous",
        "40 x 3",
        "https://example.org/toyset",
        "CC0",
        "tabular",
        (RemoteFile("toyset/toy.csv", urls=("https://example.org/toy.csv",), size=1),),
        aliases=("toy-set",),
        paper_names=("Toy.",),
    )

    @register_dataset(info)
    def load_toyset(root: Path, *, scale: float = 1.0) -> Dataset:
        rng = np.random.default_rng(0)
        X = rng.random((40, 3)) * scale
        y = (np.arange(40) >= 35).astype(int)
        return Dataset(name="toyset", X=X, y=y, kind="tabular", source=str(root))

    yield sources.DATASETS["toyset"]
    del sources.DATASETS["toyset"]
    del sources._ALIASES["toy-set"]


def test_a_registered_set_loads_by_name_alias_and_option(toy_registered, tmp_path) -> None:
    ds = load_dataset("Toy-Set", root=tmp_path, scale=2.0)
    assert ds.name == "toyset" and ds.X.shape == (40, 3) and ds.X.max() > 1.0
    assert toy_registered in list_datasets()
    assert sources.paper_dataset_names()["Toy."] == "toyset"
    with pytest.raises(TypeError, match="unknown option"):
        load_dataset("toyset", root=tmp_path, colour="red")


def test_every_protocol_works_on_the_registered_set(toy_registered, tmp_path) -> None:
    split = load_split("toyset", protocol="unsupervised", root=tmp_path, seed=0)
    assert split.x_train.shape[1] == 3


def test_a_taken_name_or_alias_is_refused(toy_registered) -> None:
    def loader(root: Path) -> Dataset:
        raise AssertionError("never called")

    for name, aliases in (("toyset", ()), ("other", ("toy-set",)), ("other", ("mnist",))):
        info = DatasetInfo(name, "d", "s", "src", "lic", "tabular", (), aliases=aliases)
        with pytest.raises(ValueError, match="already registered"):
            register_dataset(info)(loader)
    assert "other" not in sources.DATASETS


def test_registry_answers_what_six_tables_used_to() -> None:
    # The loaders, image kinds, Fence GAN sets and DA3D's paper names all come from one place.
    assert all(info.loader is not None for info in sources.DATASETS.values())
    assert set(sources.datasets_with_protocol("fence_gan")) == {
        "mnist",
        "fmnist",
        "cifar10",
        "kdd99",
    }
    assert sources.is_image_dataset("emnist") and sources.is_image_dataset("Fashion-MNIST")
    # ADBench's MNIST is a table of features, not images (it used to be taken for one).
    assert not sources.is_image_dataset("adbench:mnist")
    assert sources.paper_dataset_names()["Mammo."] == "mammography"
    assert sources.get_info("adbench:cardio").files[0].path == "adbench/6_cardio.npz"


def test_list_keeps_the_named_sets_before_the_adbench_family() -> None:
    names = [info.name for info in list_datasets()]
    first_adbench = next(i for i, n in enumerate(names) if n.startswith("adbench:"))
    assert all(n.startswith("adbench:") for n in names[first_adbench:])
    assert "mammography" in names[:first_adbench]

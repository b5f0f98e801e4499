"""Hyperparameters as dictionaries, as many training scripts keep them."""

HPARAMS = {
    "learning_rate": 3e-4,  # log scale, 1e-5 to 1e-2
    # one of: adam, sgd
    "optimizer": "adam",
    "model": {"depth": 4, "width": 128},
    "tags": ["baseline"],
}

train_config = dict(
    epochs=10,  # 1-100
    batch_size=32,
)

HTTP_CODES = {"ok": 200, "not_found": 404}  # not a config

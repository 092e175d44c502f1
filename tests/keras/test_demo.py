"""The main demo (README's first command): a compiled digits classifier reaching >= 95%."""

from __future__ import annotations

import re

from tfc.examples import train_digits


def test_train_digits_demo(capsys):
    status = train_digits.main()
    out = capsys.readouterr().out
    assert status == 0, out
    assert re.search(r"train \d+ / validation \d+ / test 359", out)
    epochs = re.findall(r"^20/20 \[=+\] - .* - loss: [\d.]+ - accuracy: [\d.]+ - val_loss: [\d.]+ - "
                        r"val_accuracy: [\d.]+$", out, re.M)
    assert len(epochs) == train_digits.EPOCHS
    acc = float(re.search(r"test accuracy: ([\d.]+)%", out).group(1))
    assert acc >= 95.0
    assert re.search(r"compiled train step: [\d.]+ ms/step vs eager [\d.]+ ms/step \([\d.]+x\)", out)

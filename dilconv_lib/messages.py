"""The exercise checkers' messages in the learner's language.

The Chinese edition's first cell sets ``os.environ["DILCONV_LANG"] = "zh"`` (``tools/i18n.py`` writes that
line). Each checker of :mod:`dilconv_lib.exercises` ends in ``_finish``, which asks :func:`language` at
that moment (not at import, so the setting may come after ``import dilconv_lib``) and passes the English
message through :func:`translate`. The diagnosis is found in English, once; only its wording changes, so
a verdict's ``ok`` and ``mistake`` are the same in every language.

:func:`translate` works line by line. ``TABLE[lang]`` is an ordered list of (compiled pattern, template)
pairs; the first pattern that matches a whole line gives its translation. The patterns are written as the
checkers' English f-strings, ``{name}`` standing for a variable part (a function name, a number, a shape,
code) that the template carries over verbatim; ``{name:any}`` may span lines (the repr of an array),
``{name:tr}`` is a phrase translated through the table in turn (a diagnosis after "Diagnosis: ", a tap
hint), ``{name:call}`` a call of the learner's function, ``{name:text}`` the learner's own text (an
exception's message). A line that no pattern matches is joined with the next one and tried again (an array
printed over several lines), and stays English when nothing matches: ``tests/test_messages.py`` runs the
checkers' tests and names every line left in English.

Examples
--------
>>> message = "✗ my_conv1d is not right yet.\\n  Diagnosis: the padding is on both sides: 2p."
>>> print(translate(message, "en"))
✗ my_conv1d is not right yet.
  Diagnosis: the padding is on both sides: 2p.
>>> print(translate(message, "zh"))
✗ my_conv1d 还不对。
  诊断：两侧都有填充：2p。
"""

from __future__ import annotations

import os
import re
import string

__all__ = ["LANGUAGES", "TABLE", "language", "translate"]

LANGUAGES = ("en", "zh")  # English first: the checkers' own language

# The kinds of variable part a pattern may hold, ``{name:kind}``; non-greedy, so that the pattern's literal
# text decides where each part ends. A part carried over verbatim holds names, numbers and code, never a
# phrase (three English words in a row; "k x k" is code): a pattern that would carry English prose over is
# not a match.
_PART = {
    "": r"[^\n]+?",  # verbatim, one line
    "any": r".+?",  # verbatim, may span lines (the repr of an array)
    "tr": r"[^\n]+?",  # a phrase, translated through the table in turn
    "call": r"[\w<>.]+\((?:[^()\n]|\((?:[^()\n]|\([^()\n]*\))*\))*\)",  # name(arguments), brackets balanced
    "text": r"[^\n]*",  # the learner's own words (an exception's message): verbatim, prose allowed
}
_PROSE = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b")


def _compile(english: str) -> re.Pattern[str]:
    """A pattern that matches the whole of a line the English template describes.

    Each part ``{name:kind}`` becomes the group ``name__kind``.

    >>> _compile("✗ {name} is not right yet.").fullmatch("✗ <lambda> is not right yet.")["name__"]
    '<lambda>'
    """
    regex = []
    for literal, field, kind, _ in string.Formatter().parse(english):
        regex.append(re.escape(literal))
        if field is not None:
            regex.append(f"(?P<{field}__{kind}>{_PART[kind or '']})")
    return re.compile("".join(regex), re.DOTALL)


# English template (as the checker's f-string writes it) -> Chinese template.
_ZH = [
    # every checker: the verdict's first line, a stub, an exception
    ("✗ {name} is not right yet.", "✗ {name} 还不对。"),
    (
        "✗ {name} is not implemented yet: fill in its body in place of `raise NotImplementedError(...)`, run that "
        "cell, then run this check again.",
        "✗ {name} 还没有实现：把 `raise NotImplementedError(...)` 换成你写的函数体，运行那个单元格，"
        "再重新运行这个检查。",
    ),
    ("It raised {error}: {text:text}", "它抛出了 {error}：{text}"),
    (
        "An IndexError usually means a loop runs past the end of the (padded) input: check the output length and "
        "the index i*s + ki*d.",
        "出现 IndexError 通常说明某个循环越过了（填充后的）输入的末尾：请检查输出长度和下标 i*s + ki*d。",
    ),
    ("Diagnosis: that is what you get with {like:tr}: {advice:tr}", "诊断：这正是“{like}”会得到的结果：{advice}"),
    ("Diagnosis: {advice:tr}", "诊断：{advice}"),
    ("The formula: {formula}.", "公式：{formula}。"),
    # a learner's value that is not of the right kind
    (
        "{call:call} returned {got:any} ({kind}); expected the int {right}.",
        "{call} 返回了 {got}（{kind}）；应为 int {right}。",
    ),
    (
        "A size is a whole number: use // (floor division), not /, and return an int.",
        "尺寸是整数：用 //（向下取整的除法），不要用 /，并返回 int。",
    ),
    ("It returned None: did you forget `return out`?", "它返回了 None：是不是忘了写 `return out`？"),
    ("It returned a {kind}, not a NumPy array (np.ndarray).", "它返回了一个 {kind}，而不是 NumPy 数组（np.ndarray）。"),
    ("It returned an array of {dtype}, not of numbers.", "它返回的数组元素类型是 {dtype}，不是数值。"),
    ("It returned a {kind}; expected a tensor of shape {shape}.", "它返回了一个 {kind}；应为形状为 {shape} 的张量。"),
    (
        "It returned {kind}; expected a set of (row, column) pairs.",
        "它返回了 {kind}；应为由（行，列）二元组组成的集合。",
    ),
    ("Expected an array of shape {shape}.", "应返回形状为 {shape} 的数组。"),
    (
        "Expected shape {expected}, got {got}: one number per output channel.",
        "形状应为 {expected}，实际为 {got}：每个输出通道一个数。",
    ),
    ("Expected shape {expected}, got {got}.", "形状应为 {expected}，实际为 {got}。"),
    ("Expected output shape {expected}, got {got}.", "输出形状应为 {expected}，实际为 {got}。"),
    (
        "Stride, padding and dilation may each be an int or a (rows, columns) pair.",
        "stride、padding 和 dilation 都可以是一个 int，或一个（行，列）二元组。",
    ),
    ("{call:call} returned {got:any}: expected an int", "{call} 返回了 {got}：应为 int。"),
    ("{call:call} returned {got:any}: expected a list of ints", "{call} 返回了 {got}：应为由 int 组成的列表。"),
    (
        "{call:call} returned {got:any}: expected a pair of ints (plain_layers, doubling_layers)",
        "{call} 返回了 {got}：应为一对 int (plain_layers, doubling_layers)。",
    ),
    ("{call:call} returned {got:any}: expected an array of numbers", "{call} 返回了 {got}：应为数值数组。"),
    (
        "{call:call} returned {got:any}: expected a number between 0 and 1",
        "{call} 返回了 {got}：应为 0 到 1 之间的数。",
    ),
    (
        "{call:call} returned {got:any}; expected a number between 0 and 1.",
        "{call} 返回了 {got}；应为 0 到 1 之间的数。",
    ),
    # 00 and 01: effective kernel size and output size
    (
        "✓ {name} is right on all {n} cases (kernels of {a} to {b} taps, dilations {c} to {d}).",
        "✓ {name} 在全部 {n} 个用例上都正确（卷积核 {a} 到 {b} 个采样点，膨胀率 {c} 到 {d}）。",
    ),
    (
        "✓ {name} is right on all {n} cases (dilations {a} to {b}, padding and stride).",
        "✓ {name} 在全部 {n} 个用例上都正确（膨胀率 {a} 到 {b}，含填充和步长）。",
    ),
    (
        "off by one in the dilation: your answers match dilation + 1, as if dilation counted the gaps between taps "
        "(CS231n and numpy-ml do: 0 = ordinary). Here, as in PyTorch, d is the step between taps.",
        "膨胀率差了一：你的答案与 dilation + 1 时的一致，就像把 dilation 当成了采样点之间空出的像素数（CS231n 和 "
        "numpy-ml 就是这样数的：0 = 普通卷积）。这里和 PyTorch 一样，d 是相邻采样点之间的步距。",
    ),
    (
        "one pixel short: d(k - 1) is the distance from the first tap to the last; the kernel covers both end "
        "taps, so it spans d(k - 1) + 1 pixels.",
        "少了一个像素：d(k - 1) 是第一个采样点到最后一个采样点的距离；卷积核要覆盖两端的采样点，所以跨越 d(k - 1) "
        "+ 1 个像素。",
    ),
    (
        "not k*d: k taps have k - 1 steps of d between them, plus the last tap, so the kernel spans d(k - 1) + 1 "
        "pixels (k*d counts one step too many).",
        "不是 k*d：k 个采样点之间有 k - 1 段长为 d 的步距，再加上最后一个采样点本身，所以卷积核跨越 d(k - 1) + 1 "
        "个像素（k*d 多算了一段步距）。",
    ),
    (
        "the dilation is ignored: your answers are k. The taps are d apart, so the kernel spans d(k - 1) + 1 pixels.",
        "膨胀率被忽略了：你的答案就是 k。采样点相隔 d，所以卷积核跨越 d(k - 1) + 1 个像素。",
    ),
    (
        "off by one in the dilation: your sizes match dilation + 1, as if dilation counted the gaps between taps "
        "(CS231n and numpy-ml do: 0 = ordinary). This course, like PyTorch, counts the step between taps (1 = "
        "ordinary), so the kernel spans d(k - 1) + 1 pixels.",
        "膨胀率差了一：你的尺寸与 dilation + 1 时的一致，就像把 dilation 当成了采样点之间空出的像素数（CS231n 和 "
        "numpy-ml 就是这样数的：0 = 普通卷积）。本课程和 PyTorch 一样，数的是相邻采样点之间的步距（1 = 普通卷积），"
        "所以卷积核跨越 d(k - 1) + 1 个像素。",
    ),
    (
        "off by one in the dilation: your sizes match dilation - 1. d - 1 is the number of skipped pixels between "
        "taps; the step is d, so the kernel spans d(k - 1) + 1 pixels.",
        "膨胀率差了一：你的尺寸与 dilation - 1 时的一致。d - 1 是相邻采样点之间跳过的像素数；步距是 d，"
        "所以卷积核跨越 d(k - 1) + 1 个像素。",
    ),
    (
        "the dilation is ignored: your sizes match dilation = 1. A dilated kernel spans d(k - 1) + 1 pixels, not k.",
        "膨胀率被忽略了：你的尺寸与 dilation = 1 时的一致。空洞卷积的卷积核跨越 d(k - 1) + 1 个像素，而不是 k 个。",
    ),
    (
        "the effective kernel is not k*d: k taps have k - 1 steps of d between them, plus the last tap, so the "
        "kernel spans d(k - 1) + 1 pixels.",
        "等效卷积核大小不是 k*d：k 个采样点之间有 k - 1 段长为 d 的步距，再加上最后一个采样点本身，所以卷积核跨越 "
        "d(k - 1) + 1 个像素。",
    ),
    (
        "the effective kernel is one pixel short: your sizes match a kernel spanning d(k - 1) pixels. d(k - 1) is "
        "the distance from the first tap to the last; the kernel covers both end taps, so it spans d(k - 1) + 1 "
        "pixels.",
        "等效卷积核大小少了一个像素：你的尺寸与跨越 d(k - 1) 个像素的卷积核一致。d(k - 1) "
        "是第一个采样点到最后一个采样点的距离；卷积核要覆盖两端的采样点，所以跨越 d(k - 1) + 1 个像素。",
    ),
    (
        "the padding is counted once: p zeros go on both sides of the input, so it grows to i + 2p.",
        "填充只算了一次：输入两侧各补 p 个零，所以长度变为 i + 2p。",
    ),
    (
        "the padding is ignored: your sizes match padding = 0. The padded input has i + 2p pixels.",
        "填充被忽略了：你的尺寸与 padding = 0 时的一致。填充后的输入有 i + 2p 个像素。",
    ),
    (
        "the stride is ignored: your sizes match stride = 1. Windows start s pixels apart, so divide by s.",
        "步长被忽略了：你的尺寸与 stride = 1 时的一致。相邻窗口的起点相隔 s 个像素，所以要除以 s。",
    ),
    (
        "the + 1 is missing: the division counts the steps after the first window, so add 1 for the first.",
        "漏了 + 1：除法数的是第一个窗口之后窗口还能移动的步数，所以要再加 1，算上第一个窗口。",
    ),
    (
        "you rounded up: a window that runs past the padded input is not computed, so round down (floor division, "
        "// in Python).",
        "你向上取整了：超出填充后输入的窗口不会被计算，所以要向下取整（Python 中的整除 //）。",
    ),
    # 01: conv1d and conv2d
    (
        "Case {number} of {total}: input shape {input}, weight shape {weight}, with bias, stride={stride}, "
        "padding={padding}, dilation={dilation}.",
        "第 {number} 个用例（共 {total} 个）：输入形状 {input}，权重形状 {weight}，有偏置，stride={stride}，"
        "padding={padding}，dilation={dilation}。",
    ),
    (
        "Case {number} of {total}: input shape {input}, weight shape {weight}, no bias, stride={stride}, "
        "padding={padding}, dilation={dilation}.",
        "第 {number} 个用例（共 {total} 个）：输入形状 {input}，权重形状 {weight}，无偏置，stride={stride}，"
        "padding={padding}，dilation={dilation}。",
    ),
    (
        "✓ {name} is right on all {n} cases (dilations {a} to {b}, padding, stride, channels, a batch and a bias).",
        "✓ {name} 在全部 {n} 个用例上都正确（膨胀率 {a} 到 {b}，含填充、步长、多通道、批量和偏置）。",
    ),
    (
        "✓ {name} is right on all {n} cases (square and per-axis stride, padding and dilation, channels, a batch "
        "and a bias).",
        "✓ {name} 在全部 {n} 个用例上都正确（步长、填充和膨胀率有两轴相同的，也有逐轴不同的；含多通道、批量和偏置）。",
    ),
    (
        "Along each spatial axis the output has floor((i + 2p - d(k - 1) - 1) / s) + 1 positions: {sizes}.",
        "沿每个空间轴，输出有 floor((i + 2p - d(k - 1) - 1) / s) + 1 个位置：{sizes}。",
    ),
    ("Your shape is what you get with {alike:tr}.", "你的形状正是“{alike}”会得到的形状。"),
    ("{first:tr} or {rest:tr}", "{first}”或“{rest}"),
    (
        "Right shape {shape}, but {count} of {size} values differ; the first at index {index}: expected "
        "{expected}, got {got}.",
        "形状 {shape} 正确，但 {size} 个值中有 {count} 个不对；第一个在下标 {index}：应为 {expected}，实际为 {got}。",
    ),
    ("dilation + 1", "dilation + 1"),
    ("dilation - 1", "dilation - 1"),
    ("dilation = 1", "dilation = 1"),
    ("padding = 0", "padding = 0"),
    ("stride = 1", "stride = 1"),
    ("bias = None", "bias = None"),
    ("padding before the input only", "只在输入前面填充"),
    ("padding after the input only", "只在输入后面填充"),
    ("a flipped kernel", "翻转的卷积核"),
    ("the two dilations swapped", "两个膨胀率对调"),
    ("the first dilation on both axes", "两个轴都用第一个膨胀率"),
    ("{weight} multiplies {pixel}", "{weight} 乘以 {pixel}"),
    (
        "off by one in the dilation: your answers match dilation + 1, so your taps are one pixel too far apart, as "
        "if dilation counted the gaps between taps (CS231n and numpy-ml do: 0 = ordinary). Here, as in PyTorch, "
        "dilation is the step between taps (1 = ordinary): {tap:tr}.",
        "膨胀率差了一：你的答案与 dilation + 1 时的一致，采样点之间多隔了一个像素，就像把 dilation "
        "当成了采样点之间空出的像素数（CS231n 和 numpy-ml 就是这样数的：0 = 普通卷积）。这里和 PyTorch 一样，"
        "dilation 是相邻采样点之间的步距（1 = 普通卷积）：{tap}。",
    ),
    (
        "off by one in the dilation: your answers match dilation - 1, so your taps are one pixel too close. d - 1 "
        "is the number of skipped pixels between taps; the step is d: {tap:tr}.",
        "膨胀率差了一：你的答案与 dilation - 1 时的一致，采样点之间少隔了一个像素。d - 1 "
        "是相邻采样点之间跳过的像素数；步距是 d：{tap}。",
    ),
    (
        "the dilation is ignored: your answers match dilation = 1. Spread the taps d apart: {tap:tr}.",
        "膨胀率被忽略了：你的答案与 dilation = 1 时的一致。让采样点相隔 d：{tap}。",
    ),
    (
        "the padding is ignored: your answers match padding = 0. Add p zeros on both sides first: {pad}.",
        "填充被忽略了：你的答案与 padding = 0 时的一致。先在两侧各补 p 个零：{pad}。",
    ),
    (
        "the padding is on one side only: your answers match p zeros before the input and none after. Pad both "
        "sides: {pad}.",
        "填充只加在了一侧：你的答案与在输入前面补 p 个零、后面不补时的一致。两侧都要填充：{pad}。",
    ),
    (
        "the padding is on one side only: your answers match p zeros after the input and none before. Pad both "
        "sides: {pad}.",
        "填充只加在了一侧：你的答案与在输入后面补 p 个零、前面不补时的一致。两侧都要填充：{pad}。",
    ),
    (
        "the stride is ignored: your answers match stride = 1. Output i starts at input position i*s, and there "
        "are floor((L + 2p - d(k - 1) - 1) / s) + 1 outputs along each axis.",
        "步长被忽略了：你的答案与 stride = 1 时的一致。输出 i 从输入位置 i*s 开始，每个轴上共有 floor((L + 2p - "
        "d(k - 1) - 1) / s) + 1 个输出。",
    ),
    (
        "the kernel is flipped: your answers match the reversed kernel, a true (mathematical) convolution. Deep "
        "learning's 'convolution' is cross-correlation, with no flip: {tap:tr}.",
        "卷积核被翻转了：你的答案与翻转后的卷积核一致，也就是数学意义上真正的卷积。深度学习里的“卷积”其实是互相关，"
        "不翻转：{tap}。",
    ),
    (
        "the bias is missing: your answers match bias = None. Add bias[co] to every output of channel co.",
        "漏了偏置：你的答案与 bias = None 时的一致。给通道 co 的每个输出都加上 bias[co]。",
    ),
    (
        "rows and columns are swapped: your answers match dilation = (dw, dh). dilation=(dh, dw) puts rows dh "
        "apart and columns dw apart: {tap:tr}.",
        "行和列弄反了：你的答案与 dilation = (dw, dh) 时的一致。dilation=(dh, dw) 表示行与行相隔 dh、列与列相隔 "
        "dw：{tap}。",
    ),
    (
        "only the first dilation is used: your answers match dilation = (dh, dh). Use dh along rows (ki) and dw "
        "along columns (kj): {tap:tr}.",
        "只用了第一个膨胀率：你的答案与 dilation = (dh, dh) 时的一致。沿行（ki）用 dh，沿列（kj）用 dw：{tap}。",
    ),
    # 02: the zero-inserted kernel, the im2col matrix
    (
        "weight {shape}, dilation {dilation}: shape {got}, expected {expected}.",
        "权重 {shape}，膨胀率 {dilation}：形状为 {got}，应为 {expected}。",
    ),
    (
        "weight {shape}, dilation {dilation}: right shape, but the values at {index} differ (and maybe more).",
        "权重 {shape}，膨胀率 {dilation}：形状正确，但 {index} 处的值不对（可能还有别处）。",
    ),
    ("weight {shape}, dilation {dilation}: {problem:tr}", "权重 {shape}，膨胀率 {dilation}：{problem}"),
    (
        "the extent is d * (k - 1) + 1: the last tap needs its own pixel.",
        "跨度是 d * (k - 1) + 1：最后一个采样点也要占一个像素。",
    ),
    (
        "d * k is one gap too many: k taps have k - 1 gaps of d, so d * (k - 1) + 1.",
        "d * k 多算了一段间隔：k 个采样点之间只有 k - 1 段长为 d 的间隔，所以是 d * (k - 1) + 1。",
    ),
    ("The dense kernel is d * (k - 1) + 1 pixels along each axis.", "稠密卷积核沿每个轴有 d * (k - 1) + 1 个像素。"),
    (
        "The taps belong at rows 0, d, 2d, ... and columns 0, d, 2d, ...; zeros everywhere else.",
        "采样点应放在第 0、d、2d、... 行和第 0、d、2d、... 列；其余位置都是零。",
    ),
    (
        "✓ {name} is right on all {n} cases (square and per-axis dilations, channels).",
        "✓ {name} 在全部 {n} 个用例上都正确（两轴相同和逐轴不同的膨胀率，多通道）。",
    ),
    ("It is {got:any}; expected a whole number of bytes (an int).", "它是 {got}；应为整数个字节（一个 int）。"),
    (
        "✓ {expected} bytes ({mib} MiB) is right: N * C_in * kH * kW * H_out * W_out items of {size} bytes, at any "
        "dilation.",
        "✓ {expected} 字节（{mib} MiB）正确：N * C_in * kH * kW * H_out * W_out 个元素，每个 {size} 字节，"
        "与膨胀率无关。",
    ),
    ("{got:any} bytes; expected {expected} ({mib} MiB).", "{got} 字节；应为 {expected}（{mib} MiB）。"),
    ("that counts items: a float32 takes {size} bytes.", "这数的是元素个数：一个 float32 占 {size} 字节。"),
    ("that is one image: the batch has N = {n}.", "这只是一张图像：批量有 N = {n} 张。"),
    ("one column per OUTPUT pixel, {size} here.", "每个“输出”像素一列，这里是 {size}。"),
    ("a column holds the kH * kW taps, not the window.", "一列存放的是 kH * kW 个采样点，而不是整个窗口。"),
    (
        "that is the input; the matrix holds each pixel up to kH * kW times.",
        "这是输入的大小；矩阵里每个像素最多出现 kH * kW 次。",
    ),
    (
        "Count C_in * kH * kW items per output pixel, H_out * W_out output pixels per image, N images.",
        "每个输出像素有 C_in * kH * kW 个元素，每张图像有 H_out * W_out 个输出像素，共 N 张图像。",
    ),
    # 03: the backward pass
    (
        "{where}, tap ({ki}, {kj}), {grid} outputs: missing {missing}, extra {extra}.",
        "{where}，采样点 ({ki}, {kj})，{grid} 个输出：缺少 {missing}，多出 {extra}。",
    ),
    (
        "stride and dilation are swapped: output i moves by the stride, tap ki by d.",
        "步长和膨胀率弄反了：输出 i 每次移动一个步长，采样点 ki 每次移动 d。",
    ),
    (
        "Output (i, j) reads tap (ki, kj) at (i*stride + ki*dilation, j*stride + kj*dilation).",
        "输出 (i, j) 在 (i*stride + ki*dilation, j*stride + kj*dilation) 处读取采样点 (ki, kj)。",
    ),
    (
        "✓ {name} is right: tap (ki, kj) reads a grid of step `stride` that starts at (ki*dilation, kj*dilation).",
        "✓ {name} 正确：采样点 (ki, kj) 读取的是一个从 (ki*dilation, kj*dilation) 开始、间距为 `stride` 的网格。",
    ),
    ("sum over the batch too: axes 0, 2 and 3, keeping axis 1.", "批量维也要求和：对轴 0、2 和 3 求和，保留轴 1。"),
    (
        "✓ {name} is right: b[o] is added at every (n, i, j), so its gradient sums grad_output over them.",
        "✓ {name} 正确：b[o] 加到了每个 (n, i, j) 上，所以它的梯度是 grad_output 在这些位置上的和。",
    ),
    ("Values {got:any}, expected {expected:any}.", "数值为 {got}，应为 {expected}。"),
    ("the sum leaves out the batch: sum over axes 0, 2 and 3.", "求和漏掉了批量维：对轴 0、2 和 3 求和。"),
    (
        "a mean, not a sum: every (n, i, j) adds its full gradient.",
        "这是平均值，不是和：每个 (n, i, j) 都贡献它完整的梯度。",
    ),
    (
        "{where}: got {got:any}; output_padding is an int from 0 to stride - 1 = {top}.",
        "{where}：得到 {got}；output_padding 应为 0 到 stride - 1 = {top} 之间的 int。",
    ),
    ("{where}: got {got}, expected {expected}.", "{where}：得到 {got}，应为 {expected}。"),
    ("the window spans d(k - 1) + 1 pixels, not k.", "窗口跨越 d(k - 1) + 1 个像素，而不是 k 个。"),
    ("take it modulo the stride: only the rows after the last window.", "要对步长取模：只算最后一个窗口之后剩下的行。"),
    ("the padding is on both sides: 2p.", "两侧都有填充：2p。"),
    (
        "With it F.conv_transpose2d gives back {got} pixels, not {size}.",
        "用这个值，F.conv_transpose2d 还原出 {got} 个像素，而不是 {size} 个。",
    ),
    (
        "Count the padded pixels after the last window: (size + 2p) minus where it ends, modulo s.",
        "数一数最后一个窗口之后还剩几个（填充后的）像素：(size + 2p) 减去窗口结束的位置，再对 s 取模。",
    ),
    (
        "✓ {name} is right: r = (size + 2p - d(k - 1) - 1) mod s, the pixels after the last window.",
        "✓ {name} 正确：r = (size + 2p - d(k - 1) - 1) mod s，即最后一个窗口之后的像素数。",
    ),
    ("{where}: length {length}, expected L_in = {expected}.", "{where}：长度为 {length}，应为 L_in = {expected}。"),
    (
        "correlate at the same dilation d as the forward pass, not at 1.",
        "互相关要用和前向传播相同的膨胀率 d，而不是 1。",
    ),
    ("correlate at the same dilation d as the forward pass.", "互相关要用和前向传播相同的膨胀率 d。"),
    (
        "Pad grad_output with d(k - 1) zeros on each side: every input pixel then gets k taps.",
        "在 grad_output 两侧各补 d(k - 1) 个零：这样每个输入像素都能得到 k 个采样点的贡献。",
    ),
    (
        "{where}: {channels} channels, expected C_in = {expected}.",
        "{where}：{channels} 个通道，应为 C_in = {expected}。",
    ),
    (
        "Swap the kernel's channels, w.transpose(1, 0, 2): it carries C_out back to C_in.",
        "交换卷积核的两个通道轴，w.transpose(1, 0, 2)：它把 C_out 带回 C_in。",
    ),
    (
        "{where}: right shape, wrong values (autograd's first row {row:any}, ...).",
        "{where}：形状正确，数值不对（autograd 结果的第一行为 {row} ……）。",
    ),
    ("flip the kernel: w[:, :, ::-1].", "把卷积核翻转：w[:, :, ::-1]。"),
    (
        "Input pixel u collects g[i] * w[ki] from every output i = u - d*ki that read it.",
        "输入像素 u 从每个读过它的输出 i = u - d*ki 那里收集 g[i] * w[ki]。",
    ),
    (
        "✓ {name} agrees with autograd on all {n} cases: pad by d(k-1), flip the kernel, swap its channels.",
        "✓ {name} 在全部 {n} 个用例上都与 autograd 一致：填充 d(k-1)，翻转卷积核，交换它的通道轴。",
    ),
    (
        "{where}: shape {got}, expected (C_out, C_in, k) = {expected}.",
        "{where}：形状为 {got}，应为 (C_out, C_in, k) = {expected}。",
    ),
    ("the channel axes are swapped: transpose the first two.", "两个通道轴弄反了：把前两个轴转置。"),
    ("{where}: right shape, wrong values.", "{where}：形状正确，数值不对。"),
    (
        "sum over the batch too: every image adds its share to the same weight.",
        "批量维也要求和：每张图像都对同一个权重贡献自己的一份。",
    ),
    (
        "tap ki reads x from d * ki on, not ki: the taps are d apart.",
        "采样点 ki 从 d * ki 开始读取 x，而不是从 ki 开始：采样点之间相隔 d。",
    ),
    (
        "dL/dw[o, c, ki] = sum over n and i of g[n, o, i] * x[n, c, i + d * ki].",
        "dL/dw[o, c, ki] = 对 n 和 i 求 g[n, o, i] * x[n, c, i + d * ki] 之和。",
    ),
    (
        "✓ {name} agrees with autograd on all {n} cases: each tap sums g times the pixels it read, over the batch.",
        "✓ {name} 在全部 {n} 个用例上都与 autograd 一致：每个采样点对 g 乘以它读过的像素求和，并对整个批量求和。",
    ),
    (
        "x holds other values after the call: put each entry back after perturbing it.",
        "调用之后 x 的值变了：扰动每个元素之后要把它恢复原值。",
    ),
    (
        "✓ {name} is right: central differences, every entry, x left as it was.",
        "✓ {name} 正确：用中心差分，逐个元素计算，x 也保持原样。",
    ),
    ("Got {got:any}, ..., expected about {expected:any}, ...", "得到 {got}, ...，应约为 {expected}, ..."),
    ("divide by 2 * eps: the two points are 2 * eps apart.", "要除以 2 * eps：两个点相距 2 * eps。"),
    (
        "a one-sided difference: use f(x + eps) - f(x - eps), over 2 * eps.",
        "这是单侧差分：应使用 f(x + eps) - f(x - eps)，再除以 2 * eps。",
    ),
    (
        "Perturb one entry at a time, by +eps and by -eps, and divide the difference of f by 2 * eps.",
        "每次只扰动一个元素，分别加 +eps 和 -eps，再把 f 的差除以 2 * eps。",
    ),
    # 04: receptive fields
    (
        "✓ {name} is right on all {n} stacks (the context module, dilations, strides).",
        "✓ {name} 在全部 {n} 组层堆叠上都正确（上下文模块、膨胀率、步长）。",
    ),
    ("R_0 = 0", "R_0 = 0"),
    ("start from R_0 = 1: with no layer a pixel sees itself.", "从 R_0 = 1 开始：没有任何层时，一个像素只看见它自己。"),
    ("k * d per layer", "每层加 k * d"),
    (
        "a kernel of k taps has k - 1 steps between its first and last tap: (k - 1) * d.",
        "k 个采样点的卷积核，第一个和最后一个采样点之间只有 k - 1 段步距：(k - 1) * d。",
    ),
    ("each layer's own stride in its jump", "把每层自己的步长也算进它的跳距"),
    (
        "a layer's stride widens the steps of the layers above it, not its own: J_l = prod_(j<l) s_j.",
        "一层的步长放大的是它上面各层的步距，而不是它自己的：J_l = prod_(j<l) s_j。",
    ),
    (
        "Add (k_l - 1) * d_l * J_l per layer, then multiply the jump J by the layer's stride.",
        "每层加上 (k_l - 1) * d_l * J_l，然后把跳距 J 乘以该层的步长。",
    ),
    (
        "✓ {name} is right for fields {a} to {b} (plain 2L + 1, doubling 2^(L+1) - 1).",
        "✓ {name} 在感受野 {a} 到 {b} 上都正确（普通层 2L + 1，膨胀率逐层翻倍 2^(L+1) - 1）。",
    ),
    ("the most doubling layers that stay below or at the field", "不超过该感受野的最多翻倍层数"),
    (
        "the question asks for a field of at least that size: take the fewest layers that reach it.",
        "题目要的是至少这么大的感受野：取能达到它的最少层数。",
    ),
    ("3 pixels per plain layer", "每个普通层加 3 个像素"),
    ("a 3x3 layer adds k - 1 = 2 pixels: R_L = 2L + 1.", "一个 3x3 层只增加 k - 1 = 2 个像素：R_L = 2L + 1。"),
    (
        "Plain: R_L = 2L + 1; doubling: R_L = 2^(L+1) - 1; take the fewest L with R_L >= field.",
        "普通层：R_L = 2L + 1；膨胀率逐层翻倍：R_L = 2^(L+1) - 1；取满足 R_L >= field 的最小 L。",
    ),
    (
        "✓ {name} is right for {a} to {b} layers (the path counts, an outer product of two profiles).",
        "✓ {name} 在 {a} 到 {b} 层时都正确（路径数，两个一维剖面的外积）。",
    ),
    ("the 1-D profile", "一维剖面"),
    ("the 2-D gradient is np.outer(profile, profile).", "二维梯度是 np.outer(profile, profile)。"),
    ("one convolution fewer", "少卷积一次"),
    (
        "n layers: convolve [1] with [1, 1, 1] n times, giving 2n + 1 entries.",
        "n 层：把 [1] 与 [1, 1, 1] 卷积 n 次，得到 2n + 1 个元素。",
    ),
    ("a sum of the profiles", "两个剖面相加"),
    (
        "chains of taps combine one row step and one column step: the counts multiply (np.outer), they do not add.",
        "采样点链的每一步同时包含一次行移动和一次列移动：路径数相乘（np.outer），而不是相加。",
    ),
    (
        "Convolve [1] with [1, 1, 1] n times for the profile, then take np.outer(profile, profile).",
        "把 [1] 与 [1, 1, 1] 卷积 n 次得到一维剖面，再取 np.outer(profile, profile)。",
    ),
    # 05: gridding and HDC
    (
        "{call:call} returned {got:any}; expected a list of three rates [1, r2, r3], each an int >= 1.",
        "{call} 返回了 {got}；应为三个膨胀率组成的列表 [1, r2, r3]，每个都是 >= 1 的 int。",
    ),
    (
        "{call:call} returned {rates}: start with rate 1; a dilated first layer leaves holes.",
        "{call} 返回了 {rates}：要从膨胀率 1 开始；第一层就带膨胀会留下空洞。",
    ),
    (
        "{call:call} returned {rates}, whose field is {field} < {least}: R = 1 + 2 (1 + r2 + r3).",
        "{call} 返回了 {rates}，其感受野为 {field} < {least}：R = 1 + 2 (1 + r2 + r3)。",
    ),
    (
        "{call:call} returned {rates}, which leaves {holes} holes: M_2 = {m2} > 3.",
        "{call} 返回了 {rates}，会留下 {holes} 个空洞：M_2 = {m2} > 3。",
    ),
    (
        "Layer 1 fills gaps of up to 3; layers 2 and 3 leave gaps of r2 and (for r3 >= 2 r2) r3 - 2 r2.",
        "第 1 层能填满不超过 3 的空隙；第 2 和第 3 层会留下 r2 和（当 r3 >= 2 r2 时）r3 - 2 r2 的空隙。",
    ),
    (
        "✓ {name} is right for every field from {a} to {b}: no holes, wide enough.",
        "✓ {name} 对 {a} 到 {b} 的每个感受野都正确：没有空洞，也足够宽。",
    ),
    ("✓ {name} is right on all {n} groups.", "✓ {name} 在全部 {n} 组膨胀率上都正确。"),
    ("the recursion run from layer 1 up", "从第 1 层往上递推"),
    ("start from M_n = r_n and go down, i = n - 1 .. 1.", "从 M_n = r_n 开始往下递推，i = n - 1 .. 1。"),
    ("the third term r_i left out", "漏掉第三项 r_i"),
    ("M_i is the largest of three terms, the last one r_i.", "M_i 是三项中最大的一项，第三项是 r_i。"),
    (
        "M_n = r_n; going down, M_i = max(M_(i+1) - 2 r_i, M_(i+1) - 2 (M_(i+1) - r_i), r_i).",
        "M_n = r_n；往下递推，M_i = max(M_(i+1) - 2 r_i, M_(i+1) - 2 (M_(i+1) - r_i), r_i)。",
    ),
    (
        "✓ {name} is right on all {n} stacks, and R^2 - (R - h)^2 is the 2-D hole count.",
        "✓ {name} 在全部 {n} 组层堆叠上都正确，而 R^2 - (R - h)^2 就是二维的空洞数。",
    ),
    ("the number of offsets reached", "能到达的偏移量个数"),
    (
        "count those that are NOT reached: the span max - min + 1, less the reached ones.",
        "要数的是“到达不了”的偏移量：跨度 max - min + 1，减去能到达的个数。",
    ),
    ("the span less the reached offsets, without the + 1", "跨度减去能到达的偏移量、却漏了 + 1"),
    ("from min to max there are max - min + 1 offsets.", "从 min 到 max 共有 max - min + 1 个偏移量。"),
    (
        "Build the set of sums {{a + t for a in reached for t in (-r, 0, r)}} layer by layer, then count the gaps.",
        "逐层构造和的集合 {{a + t for a in reached for t in (-r, 0, r)}}，再数其中的空隙。",
    ),
    # 06: the context module
    ("✓ {name} matches Eq. {eq} on all {n} widths.", "✓ {name} 在全部 {n} 组宽度上都与 Eq. {eq} 一致。"),
    ("(c_in, c_out) instead of (c_out, c_in)", "用 (c_in, c_out) 代替 (c_out, c_in)"),
    ("rows are output channels b, columns input channels a.", "行是输出通道 b，列是输入通道 a。"),
    ("1 on every centre tap", "每个中心采样点都取 1"),
    (
        "scale by C / c_(i+1) so that the sum over a group keeps the size of the signal.",
        "乘以 C / c_(i+1)，使一组内求和后信号的大小保持不变。",
    ),
    ("C / c_i as the scale", "以 C / c_i 作缩放系数"),
    ("the scale is C / c_(i+1), the output width.", "缩放系数是 C / c_(i+1)，即输出宽度。"),
    (
        "Channel a is in group floor(a C / c_in), channel b in floor(b C / c_out); C / c_out where they agree.",
        "通道 a 属于第 floor(a C / c_in) 组，通道 b 属于第 floor(b C / c_out) 组；两者同组处取 C / c_out。",
    ),
    ("✓ {name} is right for fields {fields} and {last}.", "✓ {name} 在感受野 {fields} 和 {last} 上都正确。"),
    ("the whole field as the reach", "把整个感受野当作覆盖半径"),
    (
        "a field of 2r + 1 pixels reaches r = (field - 1) // 2 pixels each way.",
        "2r + 1 个像素的感受野向每个方向覆盖 r = (field - 1) // 2 个像素。",
    ),
    ("every pixel counted", "所有像素都计入"),
    (
        "count object pixels only (labels > 0), in the numerator and the denominator.",
        "只统计物体像素（labels > 0），分子和分母都是。",
    ),
    ("distance >= r", "distance >= r"),
    (
        "a marker at distance exactly r is inside the field: out of sight means distance > r.",
        "距离正好为 r 的标记在感受野内：看不见指的是 distance > r。",
    ),
    (
        "Out of sight: distance > (field - 1) // 2, among the pixels with label > 0.",
        "看不见：distance > (field - 1) // 2，只在 label > 0 的像素中统计。",
    ),
    (
        "✓ {name} is right on all {n} width lists ({basic} C^2 for Basic, {large} C^2 for Large).",
        "✓ {name} 在全部 {n} 组宽度列表上都正确（Basic 为 {basic} C^2，Large 为 {large} C^2）。",
    ),
    ("eight 3x3 layers", "八个 3x3 层"),
    ("the last layer is 1x1: k^2 = 1 there, not 9.", "最后一层是 1x1：那里 k^2 = 1，而不是 9。"),
    ("each layer's own width as its input", "把每层自己的宽度当作它的输入宽度"),
    (
        "layer l reads the previous layer's channels (the input's C for layer 1).",
        "第 l 层读取的是上一层的通道（第 1 层读取输入的 C 个通道）。",
    ),
    ("the biases added", "加上了偏置"),
    (
        "count the weights only; the biases (one per output channel) come on top.",
        "只数权重；偏置（每个输出通道一个）另算。",
    ),
    (
        "Sum k^2 c_in c_out over the layers, c_in the previous layer's width (C for layer 1).",
        "对各层求 k^2 c_in c_out 之和，c_in 是上一层的宽度（第 1 层为 C）。",
    ),
    # 07: causal dilations, valid taps, ASPP
    (
        "{call:call} returned {got:any}; expected a list of {n} ints >= 1, one dilation per layer.",
        "{call} 返回了 {got}；应为由 {n} 个 >= 1 的 int 组成的列表，每层一个膨胀率。",
    ),
    (
        "{call:call} returned {count} dilations, {dilations}; expected one per layer, {n}.",
        "{call} 返回了 {count} 个膨胀率 {dilations}；应为每层一个，共 {n} 个。",
    ),
    (
        "{call:call} = {dilations}: a field of {field} steps, but output t never reads {missing} of them, "
        "e.g. t - {first}.",
        "{call} = {dilations}：感受野有 {field} 步，但输出 t 读不到其中的 {missing} 步，例如 t - {first}。",
    ),
    (
        "holes. Sorted from small to large, each dilation may be at most the field of the layers before it (1 + 2 "
        "x their sum), so that its three copies of that field leave no gap.",
        "有空洞。把膨胀率从小到大排好，每个膨胀率最多等于它之前各层的感受野（1 + 2 x 它们的和），"
        "这样它的三个采样点带来的三份感受野之间才不会留下空隙。",
    ),
    (
        "{call:call} = {dilations}: a field of {field} steps without holes; {n} layers can read {most}.",
        "{call} = {dilations}：感受野 {field} 步，没有空洞；但 {n} 层最多能读到 {most} 步。",
    ),
    (
        "WaveNet's doubling dilations suit its two taps. With three taps a layer can triple the steps reached: "
        "make each dilation the field of the layers before it.",
        "WaveNet 逐层翻倍的膨胀率适合它的两个采样点。有三个采样点时，一层能把读到的步数变成三倍："
        "让每个膨胀率等于它之前各层的感受野。",
    ),
    (
        "too narrow. The steps reached are sums of j_l d_l with j_l in 0, 1, 2: at most 3^{n} = {most} of them. To "
        "reach them all, make each dilation as large as the field of the layers before it.",
        "太窄了。能读到的步是 j_l d_l 之和，j_l 取 0、1、2：最多 3^{n} = {most} 个。要全部读到，"
        "让每个膨胀率和它之前各层的感受野一样大。",
    ),
    (
        "✓ {name} gives a causal field of 3^n steps without holes for 1 to {layers} layers ({most} with {last}).",
        "✓ {name} 在 1 到 {layers} 层时都给出 3^n 步、没有空洞的因果感受野（{last} 层时为 {most} 步）。",
    ),
    (
        "✓ {name} is right on all {n} cases (maps of {a} to {b} pixels, rates {c} to {d}).",
        "✓ {name} 在全部 {n} 个用例上都正确（特征图 {a} 到 {b} 个像素，膨胀率 {c} 到 {d}）。",
    ),
    (
        "an outer tap is valid on max(n - r, 0) positions: never fewer than 0 (from r = n on, only the centre tap "
        "is left).",
        "外侧采样点在 max(n - r, 0) 个位置上有效：不会少于 0 个（从 r = n 起，只剩中心采样点有效）。",
    ),
    (
        "the centre tap is always valid: per axis the count is 1 + 2 max(n - r, 0) / n.",
        "中心采样点总是有效的：每个轴上的有效采样点数是 1 + 2 max(n - r, 0) / n。",
    ),
    ("rows and columns are independent: square the share of one axis.", "行和列相互独立：把一个轴上的比例平方。"),
    (
        "there are two outer taps per axis, at -r and +r, each valid on n - r of the n positions.",
        "每个轴上有两个外侧采样点，分别在 -r 和 +r，各自在 n 个位置中的 n - r 个上有效。",
    ),
    (
        "Count the valid taps of one axis first: the centre tap, and each outer tap on max(n - r, 0) of n.",
        "先数一个轴上的有效采样点：中心采样点，加上每个外侧采样点（在 n 个位置中的 max(n - r, 0) 个上有效）。",
    ),
    (
        "Each branch must keep the {size} size: pad it by its own rate.",
        "每个分支都必须保持 {size} 的大小：用它自己的膨胀率作为填充。",
    ),
    (
        "v2 sums its four branches; concatenating them gives 4 x C_out channels.",
        "v2 把四个分支相加；把它们拼接起来会得到 4 x C_out 个通道。",
    ),
    (
        "✓ {name} matches ASPP(variant='v2'): four rates, each its own padding, summed.",
        "✓ {name} 与 ASPP(variant='v2') 一致：四个膨胀率，各用自己的填充，再相加。",
    ),
    ("Right shape {shape}, wrong values.", "形状 {shape} 正确，但数值不对。"),
    (
        "v2's branches give class scores: sum them without a ReLU.",
        "v2 的各分支输出的是类别得分：直接相加，不要加 ReLU。",
    ),
    (
        "every branch used rate {rate}: give each branch its own rate (module.rates).",
        "每个分支都用了膨胀率 {rate}：给每个分支用它自己的膨胀率（module.rates）。",
    ),
    (
        "Use each branch's own rate as its dilation and padding, its weight and bias, and sum the four.",
        "每个分支用它自己的膨胀率作为 dilation 和 padding，用它自己的权重和偏置，再把四个分支相加。",
    ),
    # 08: dilation in practice (dilconv_lib.practice's checkers)
    ("{call:call} raised {error}: {text:text}", "{call} 抛出了 {error}：{text}"),
    ("return two lists (strides, dilations), got {got:any}", "应返回两个列表 (strides, dilations)，得到的是 {got}"),
    (
        "{call:call}: give one stride and one dilation per layer, got {got:any}",
        "{call}：每层应给出一个步长和一个膨胀率，得到的是 {got}",
    ),
    (
        "{call:call}: the strides you keep multiply to {product}, not {target}.",
        "{call}：你保留的步长之积是 {product}，而不是 {target}。",
    ),
    (
        "Keep the first strides while their product stays within the output stride; set the rest to 1.",
        "只要乘积不超过输出步长，就保留前面的步长；其余的设为 1。",
    ),
    ("{call:call} gave dilations {got}, expected {expected}.", "{call} 给出的膨胀率是 {got}，应为 {expected}。"),
    # one sentence over two lines
    (
        "A layer's dilation is the product of the strides removed before it (a layer whose own stride was",
        "一层的膨胀率是它之前被去掉的各个步长之积（自身步长被去掉的那一层",
    ),
    (
        "removed keeps the dilation it had: the stride acted on its output, not on its taps).",
        "保持原来的膨胀率：步长作用在它的输出上，而不是它的采样点上）。",
    ),
    ("the dilated network does not reproduce the strided one", "空洞卷积网络没有重现带步长的网络"),
    (
        "✓ {name} is right on all {n} cases: subsampled, each dilated chain equals the strided one.",
        "✓ {name} 在全部 {n} 个用例上都正确：下采样之后，每条空洞卷积链都与带步长的那条相同。",
    ),
    ("return (weights, multiply_adds), got {got:any}", "应返回 (weights, multiply_adds)，得到的是 {got}"),
    ("{call:call} gave {got:any}, expected {expected}:", "{call} 给出 {got}，应为 {expected}："),
    (
        "that is an ordinary convolution's cost: split it into a depthwise k x k (one filter per input channel) "
        "and a pointwise 1 x 1",
        "这是普通卷积的代价：把它拆成逐通道（depthwise）的 k x k 卷积（每个输入通道一个滤波器）"
        "和逐点（pointwise）的 1 x 1 卷积",
    ),
    (
        "you counted the depthwise part only: add the 1 x 1 convolution's C_in C_out weights",
        "你只算了逐通道部分：还要加上 1 x 1 卷积的 C_in C_out 个权重",
    ),
    (
        "each weight is used once per output position: multiply by size^2",
        "每个权重在每个输出位置各用一次：要乘以 size^2",
    ),
    (
        "weights: C_in k^2 + C_in C_out; multiply-adds: weights x size^2",
        "权重数：C_in k^2 + C_in C_out；乘加次数：权重数 x size^2",
    ),
    ("✓ {name} is right on all {n} cases.", "✓ {name} 在全部 {n} 个用例上都正确。"),
    (
        "the padding shifts the field to the left: subtract P = sum_l p_l J_l.",
        "填充把感受野向左移：要减去 P = sum_l p_l J_l。",
    ),
    (
        "f S is where the field would start without padding, not its centre.",
        "f S 是没有填充时感受野的起点，而不是它的中心。",
    ),
    (
        "centre = f S - P + (r - 1) / 2, with S, P and r as in Araujo et al.",
        "centre = f S - P + (r - 1) / 2，其中 S、P 和 r 的含义与 Araujo et al. 相同。",
    ),
    (
        "✓ {name} is right on {n} stacks, as the gradients confirm.",
        "✓ {name} 在 {n} 组层堆叠上都正确，梯度也证实了这一点。",
    ),
    # last: the general form of a wrong answer (after the specific ones above)
    ("{call:call} returned {got:any}; expected {expected:any}.", "{call} 返回了 {got}；应为 {expected}。"),
    # the call whose exception the next line shows
    ("{call:call}:", "调用 {call} 时："),
    # why a learner's answer could not be read, in NumPy's or torch's words (the checkers' own reasons are above)
    ("{call:call} returned {got:any}: {text:text}", "{call} 返回了 {got}，无法按答案读取：{text}"),
]

TABLE: dict[str, list[tuple[re.Pattern[str], str]]] = {"zh": [(_compile(en), zh) for en, zh in _ZH]}


def language() -> str:
    """The checkers' language now: ``DILCONV_LANG`` (``"zh"``, ``"zh-CN"``, ...), ``"en"`` when unset or unknown.

    Returns
    -------
    str
        One of ``LANGUAGES``.

    Examples
    --------
    >>> os.environ["DILCONV_LANG"] = "zh_CN"
    >>> language()
    'zh'
    >>> os.environ["DILCONV_LANG"] = "klingon"
    >>> language()
    'en'
    >>> del os.environ["DILCONV_LANG"]
    >>> language()
    'en'
    """
    code = os.environ.get("DILCONV_LANG", "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else "en"


def _translate_text(text: str, table: list[tuple[re.Pattern[str], str]]) -> str | None:
    """The translation of one line (or phrase) by the first pattern that matches it whole; None if none does."""
    for pattern, template in table:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        parts: dict[str, str] = {}
        for group, value in match.groupdict().items():
            name, _, kind = group.partition("__")
            if kind == "tr":
                translated = _translate_text(value, table)
                if translated is None:
                    break  # a phrase the table does not know: try the next pattern
                parts[name] = translated
            elif kind != "text" and _PROSE.search(value):
                break  # English prose where a name, a number or code belongs: try the next pattern
            else:
                parts[name] = value
        else:
            return template.format_map(parts)
    return None


def translate(message: str, lang: str) -> str:
    """A checker's message in language ``lang``; lines the table does not know stay as they are.

    Parameters
    ----------
    message : str
        The English message, lines separated by ``"\\n"``; each keeps its indentation.
    lang : str
        One of ``LANGUAGES``; ``"en"`` (or any language without a table) returns ``message`` unchanged.

    Returns
    -------
    str
        The translated message, with the same variable parts (names, numbers, shapes, arrays, code).

    Examples
    --------
    >>> print(translate("✓ f is right on all 7 groups.", "zh"))
    ✓ f 在全部 7 组膨胀率上都正确。
    >>> translate("Something no checker says.", "zh")
    'Something no checker says.'
    """
    table = TABLE.get(lang)
    if table is None:
        return message
    lines = message.split("\n")
    out = []
    start = 0
    while start < len(lines):
        for stop in range(start + 1, len(lines) + 1):
            chunk = "\n".join(lines[start:stop])
            body = chunk.lstrip(" ")
            translated = _translate_text(body, table)
            if translated is not None:
                out.append(chunk[: len(chunk) - len(body)] + translated)
                start = stop
                break
        else:
            out.append(lines[start])
            start += 1
    return "\n".join(out)

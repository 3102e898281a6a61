r"""A sweep of the notation categories of issue #25, written afresh in styles unlike the other
written tests (Unicode, LaTeX spacing and sizing, Markdown prose, definitions of one's own,
vector forms, arg-max and indicator forms, cases, long index names, 0-based sums): each category
has correct answers that must be accepted and wrong ones (a wrong index, a missing factor, a
wrong range) that must not be.  ``python -m tests.test_written_sweep`` prints the per-category
counts."""
from __future__ import annotations

import pytest

from tests.test_written import verdict

OK, BAD = "accept", "reject"
DZ = r"\frac{\partial E}{\partial z_{p_i,p_j,k}}"

CASES = [
    # --- Unicode letters and operators -------------------------------------------------------
    ("unicode", "1.3", OK, "z_{p_i,p_j,k} = Σ_{a=0}^{1} Σ_{b=0}^{1} y_{p_i+a, p_j+b, k}"),
    ("unicode", "1.3", OK, "z[pi,pj,k] = ∑_{a=1}^{2} ∑_{b=1}^{2} y[pi+a−1, pj+b−1, k]"),
    ("unicode", "2.1", OK, "∂E/∂w_{p_i,p_j,k,o_m} = (oₘ − yₘ) · oₘ · (1 − oₘ) · z_{p_i,p_j,k}"),
    ("unicode", "2.2", OK, "∂E/∂z_{pᵢ,pⱼ,k} = Σ_{m=1}^{2} (o_m − y_m)·o_m·(1 − o_m)·w_{pᵢ,pⱼ,k,m}"),
    ("unicode", "1.2", OK, "y_{cᵢ,cⱼ,k} = σ(Σ_{a=1}^{2} Σ_{b=1}^{2} x_{cᵢ+a−1, cⱼ+b−1} × w_{a,b,k})"),
    ("unicode", "2.1", BAD, "∂E/∂w_{p_i,p_j,k,o_m} = (oₘ − yₘ) · oₘ · z_{p_i,p_j,k}"),
    ("unicode", "1.3", BAD, "z_{p_i,p_j,k} = Σ_{a=0}^{1} Σ_{b=0}^{1} y_{p_i+a, p_j+a, k}"),
    # --- LaTeX spacing and sizing --------------------------------------------------------------
    ("latex spacing/sizing", "1.2", OK, r"$$y_{c_i,c_j,k} = \sigma\!\Bigl(\,\sum_{a=1}^{2}\!\sum_{b=1}^{2} x_{c_i+a-1,\,c_j+b-1}\; w_{a,b,k}\Bigr)$$"),
    ("latex spacing/sizing", "1.4", OK, r"$$o_m = \sigma\biggl( \sum_{k=1}^{3} \sum_{p_i=1}^{2} \sum_{p_j=1}^{2} \bigl( z_{p_i,p_j,k}\, w_{p_i,p_j,k,o_m} \bigr) \biggr), \qquad m\in\{1,2\}$$"),
    ("latex spacing/sizing", "2.1", OK, r"$$\dfrac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = \left(o_m - y_m\right)\,o_m\left(1-o_m\right)\,z_{p_i,p_j,k}$$"),
    ("latex spacing/sizing", "1.3", OK, r"$$z_{p_i,p_j,k} \;=\; y_{p_i,p_j,k} \;+\; y_{p_i,p_j+1,k} \quad+\quad y_{p_i+1,p_j,k} \;+\; y_{p_i+1,p_j+1,k}$$"),
    ("latex spacing/sizing", "2.2", OK, r"$$\tfrac{\partial E}{\partial z_{p_i,p_j,k}} = \sum\limits_{m=1}^{2} \big[(o_m - y_m)\, o_m (1 - o_m)\big]\, w_{p_i,p_j,k,o_m}$$"),
    ("latex spacing/sizing", "1.2", BAD, r"$$y_{c_i,c_j,k} = \sigma\!\Bigl(\,\sum_{a=1}^{2}\!\sum_{b=1}^{2} x_{c_i+a,\,c_j+b-1}\; w_{a,b,k}\Bigr)$$"),
    ("latex spacing/sizing", "2.2", BAD, r"$$\tfrac{\partial E}{\partial z_{p_i,p_j,k}} = \sum\limits_{m=1}^{1} \big[(o_m - y_m)\, o_m (1 - o_m)\big]\, w_{p_i,p_j,k,o_m}$$"),
    # --- Markdown lists, bold, emphasis, prose -----------------------------------------------
    ("markdown/prose", "1.1", OK, "**Answer.** The convolution output is *3 by 3*:\n\n1. $c_w = 3$\n2. $c_h = 3$\n3. $p_w = 2$\n4. $p_h = 2$\n"),
    ("markdown/prose", "1.1", OK, "Since the image is 4 wide and the filter 2, we get $c_w = c_h = 4 - 2 + 1 = 3$. Pooling with a 2x2 window then gives **$p_w = p_h = 3 - 2 + 1 = 2$**."),
    ("markdown/prose", "2.1", OK, "Using the chain rule (see lecture 7):\n\n- first, $\\frac{\\partial E}{\\partial o_m} = o_m - y_m$ is the error,\n- so the answer is\n\n$$\\frac{\\partial E}{\\partial w_{p_i,p_j,k,o_m}} = (o_m - y_m)\\,o_m(1-o_m)\\,z_{p_i,p_j,k}$$\n"),
    ("markdown/prose", "1.3", OK, "_Sum pooling_ adds the window:\n\n```\nz[pi,pj,k] = y[pi,pj,k] + y[pi,pj+1,k] + y[pi+1,pj,k] + y[pi+1,pj+1,k]\n```\n"),
    ("markdown/prose", "1.1", BAD, "1. $c_w = 3$\n2. $c_h = 3$\n3. $p_w = 3$\n4. $p_h = 2$\n"),
    ("markdown/prose", "2.1", BAD, "Using the chain rule:\n\n- so the answer is\n\n$$\\frac{\\partial E}{\\partial w_{p_i,p_j,k,o_m}} = (o_m - y_m)\\,(1-o_m)\\,z_{p_i,p_j,k}$$\n"),
    # --- chains ----------------------------------------------------------------------------------
    ("chains", "1.1", OK, "$c_w = c_h = \\frac{4-2}{1}+1 = 3$, $p_w = p_h = \\frac{3-2}{1}+1 = 2$"),
    ("chains", "2.1", OK, r"$$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = \frac{\partial E}{\partial o_m}\frac{\partial o_m}{\partial w_{p_i,p_j,k,o_m}} = (o_m - y_m)\,\sigma'(\cdot)\,z_{p_i,p_j,k} = (o_m-y_m)\,o_m(1-o_m)\,z_{p_i,p_j,k}$$"),
    ("chains", "1.1", BAD, "$c_w = c_h = 4 - 2 = 2$, $p_w = p_h = 1$"),
    # --- definitions of one's own: Let / where / with / := -----------------------------------
    ("own symbols", "2.2", OK, "Let $\\Delta_m := (o_m - y_m) o_m (1 - o_m)$ for $m = 1, 2$. Then\n$$\\frac{\\partial E}{\\partial z_{p_i,p_j,k}} = \\sum_{m=1}^{2} \\Delta_m\\, w_{p_i,p_j,k,m}$$"),
    ("own symbols", "2.1", OK, "$$\\frac{\\partial E}{\\partial w_{p_i,p_j,k,o_m}} = g_m\\, z_{p_i,p_j,k}$$ where $g_m = (o_m - y_m)\\,o_m\\,(1 - o_m)$."),
    ("own symbols", "1.4", OK, "With $net_m = \\sum_{k=1}^{3}\\sum_{p_i=1}^{2}\\sum_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_i,p_j,k,o_m}$, we have $o_m = \\sigma(net_m)$."),
    ("own symbols", "1.2", OK, "Define $s_{c_i,c_j,k} \\coloneqq \\sum_{a=1}^{2}\\sum_{b=1}^{2} w_{a,b,k}\\, x_{c_i+a-1,c_j+b-1}$; then $y_{c_i,c_j,k} = \\sigma(s_{c_i,c_j,k})$."),
    ("own symbols", "2.2", BAD, "Let $\\Delta_m := (o_m - y_m) o_m$ for $m = 1, 2$. Then\n$$\\frac{\\partial E}{\\partial z_{p_i,p_j,k}} = \\sum_{m=1}^{2} \\Delta_m\\, w_{p_i,p_j,k,m}$$"),
    ("own symbols", "1.4", BAD, "With $net_m = \\sum_{k=1}^{3}\\sum_{p_i=1}^{2}\\sum_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_j,p_i,k,o_m}$, we have $o_m = \\sigma(net_m)$."),
    # --- quantifiers in every spelling ----------------------------------------------------------
    ("quantifiers", "1.4", OK, r"$$o_m = \sigma\Big(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_i,p_j,k,m}\Big) \quad (m = 1, 2)$$"),
    ("quantifiers", "1.4", OK, r"$$o_m = \sigma\Big(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_i,p_j,k,m}\Big), \ \ \forall m \in \{1, 2\}$$"),
    ("quantifiers", "1.4", OK, "for each m ∈ {1,2}: o_m = σ(Σ_{k=1}^{3} Σ_{p_i=1}^{2} Σ_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_i,p_j,k,m})"),
    ("quantifiers", "2.3", OK, r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} \mathrel{+}= \frac{\partial E}{\partial z_{p_i,p_j,k}} \quad \text{for } p_i \le c_i \le p_i + 1,\ p_j \le c_j \le p_j+1,\ p_i,p_j = 1,2$$"),
    ("quantifiers", "1.4", BAD, r"$$o_m = \sigma\Big(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_i,p_j,k,1}\Big), \ \ \forall m \in \{1, 2\}$$"),
    # --- layer labels -------------------------------------------------------------------------
    ("layer labels", "1.4", OK, r"$$o_m = \sigma\left(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} w^{(3)}_{p_i,p_j,k,m}\, z^{(2)}_{p_i,p_j,k}\right)$$"),
    ("layer labels", "2.2", OK, r"$$\frac{\partial E}{\partial z^{[2]}_{p_i,p_j,k}} = \sum_{m=1}^{2}(o_m-y_m)o_m(1-o_m)\,w^{[3]}_{p_i,p_j,k,m}$$"),
    ("layer labels", "1.4", BAD, r"$$o_m = \sigma\left(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} w^{(3)}_{p_i,p_j,k,m}\right)$$"),
    # --- sigma' and written-out derivatives ---------------------------------------------------
    ("sigma' and exp", "1.2", OK, r"$$y_{c_i,c_j,k} = \frac{1}{1 + \exp\left(-\sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b-1} w_{a,b,k}\right)}$$"),
    ("sigma' and exp", "1.2", OK, r"$$y_{c_i,c_j,k} = \left(1 + e^{-\sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b-1} w_{a,b,k}}\right)^{-1}$$"),
    # (σ' and the written-out forms of the sigmoid's derivative, as identities of the sigmoid itself)
    ("sigma' and exp", "1.2", OK, r"Let $s_{c_i,c_j,k} = \sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b-1} w_{a,b,k}$. $$y_{c_i,c_j,k} = 1 - \frac{\sigma'(s_{c_i,c_j,k})}{\sigma(s_{c_i,c_j,k})}$$"),
    ("sigma' and exp", "1.2", OK, r"Let $s_{c_i,c_j,k} = \sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b-1} w_{a,b,k}$. $$y_{c_i,c_j,k} = \frac{1 + e^{-s_{c_i,c_j,k}}}{e^{-s_{c_i,c_j,k}}} \cdot \frac{e^{-s_{c_i,c_j,k}}}{(1+e^{-s_{c_i,c_j,k}})^2}$$"),
    ("sigma' and exp", "1.2", OK, r"Let $s_{c_i,c_j,k} = \sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b-1} w_{a,b,k}$. $$y_{c_i,c_j,k} = \frac{σ(s_{c_i,c_j,k})(1−σ(s_{c_i,c_j,k}))}{σ′(s_{c_i,c_j,k})} \exp(0) σ(s_{c_i,c_j,k})$$"),
    ("sigma' and exp", "1.2", BAD, r"Let $s_{c_i,c_j,k} = \sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b-1} w_{a,b,k}$. $$y_{c_i,c_j,k} = \sigma'(s_{c_i,c_j,k})$$"),
    ("sigma' and exp", "1.2", BAD, r"Let $s_{c_i,c_j,k} = \sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b-1} w_{a,b,k}$. $$y_{c_i,c_j,k} = \frac{e^{-s_{c_i,c_j,k}}}{(1+e^{-s_{c_i,c_j,k}})^2}$$"),
    # --- products: \cdot \times implicit ------------------------------------------------------
    ("products", "2.1", OK, r"$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = (o_m - y_m) \times o_m \times (1 - o_m) \times z_{p_i,p_j,k}$"),
    ("products", "2.2", OK, r"$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} (o_m - y_m) \cdot o_m \cdot (1 - o_m) \cdot w_{p_i,p_j,k,o_m}$"),
    ("products", "2.2", BAD, r"$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} (o_m - y_m) \cdot o_m \cdot (1 - o_m)$"),
    # --- index names of more than one letter, and own index names -----------------------------
    ("index names", "2.1", OK, r"$$\frac{\partial E}{\partial w_{p_i,p_j,k,om}} = (o_{om} - y_{om})\, o_{om} (1 - o_{om})\, z_{p_i,p_j,k}$$"),
    ("index names", "1.3", OK, "z[i1,i2,k] = y[i1,i2,k] + y[i1,i2+1,k] + y[i1+1,i2,k] + y[i1+1,i2+1,k]"),
    ("index names", "1.2", OK, r"$$y_{r,s,k} = \sigma\left(\sum_{k_1=1}^{2}\sum_{k_2=1}^{2} x_{r+k_1-1,s+k_2-1} w_{k_1,k_2,k}\right)$$"),
    ("index names", "2.4", OK, r"$$\frac{\partial E}{\partial w_{u,v,k}} = \sum_{row=1}^{3}\sum_{col=1}^{3} \frac{\partial E}{\partial y_{row,col,k}}\, y_{row,col,k}(1-y_{row,col,k})\, x_{row+u-1,col+v-1}$$"),
    ("index names", "1.3", BAD, "z[i1,i2,k] = y[i1,i2,k] + y[i1,i2+1,k] + y[i1+1,i2,k] + y[i1+1,i2+2,k]"),
    ("index names", "2.4", BAD, r"$$\frac{\partial E}{\partial w_{u,v,k}} = \sum_{row=1}^{3}\sum_{col=1}^{2} \frac{\partial E}{\partial y_{row,col,k}}\, y_{row,col,k}(1-y_{row,col,k})\, x_{row+u-1,col+v-1}$$"),
    # --- 0-based sums and indices --------------------------------------------------------------
    ("0-based", "1.2", OK, r"$$y_{c_i,c_j,k} = \sigma\Big(\sum_{a=0}^{1}\sum_{b=0}^{1} x_{c_i+a,c_j+b}\,w_{a+1,b+1,k}\Big)$$"),
    ("0-based", "2.4", OK, r"$$\frac{\partial E}{\partial w_{f_i,f_j,k}} = \sum_{a=0}^{2}\sum_{b=0}^{2} \frac{\partial E}{\partial y_{a+1,b+1,k}}\, y_{a+1,b+1,k}(1-y_{a+1,b+1,k})\, x_{a+f_i,b+f_j}$$"),
    ("0-based", "1.2", BAD, r"$$y_{c_i,c_j,k} = \sigma\Big(\sum_{a=0}^{1}\sum_{b=0}^{1} x_{c_i+a,c_j+b}\,w_{a,b,k}\Big)$$"),
    # --- vector / matrix notation for the fully connected layer -------------------------------
    ("vectors", "1.4", OK, r"$$\mathbf{o} = \sigma\left(\mathbf{W}^\top \mathbf{z}\right)$$"),
    ("vectors", "2.1", OK, r"Let $\boldsymbol{\delta} = (\mathbf{o} - \mathbf{y}) \odot \mathbf{o} \odot (\mathbf{1} - \mathbf{o})$. Then $$\frac{\partial E}{\partial \mathbf{W}} = \mathbf{z}\,\boldsymbol{\delta}^\top$$"),
    ("vectors", "2.2", OK, r"$$\frac{\partial E}{\partial \mathbf{z}} = \mathbf{W}\big((\mathbf{o} - \mathbf{y}) \circ \mathbf{o} \circ (1 - \mathbf{o})\big)$$"),
    ("vectors", "2.2", OK, r"$\frac{\partial E}{\partial \vec z} = W \vec\delta$ where $\vec\delta = (\vec o - \vec y) \odot \vec o \odot (1 - \vec o)$"),
    ("vectors", "2.1", BAD, r"Let $\boldsymbol{\delta} = (\mathbf{o} - \mathbf{y}) \odot \mathbf{o}$. Then $$\frac{\partial E}{\partial \mathbf{W}} = \mathbf{z}\,\boldsymbol{\delta}^\top$$"),
    ("vectors", "2.2", BAD, r"$$\frac{\partial E}{\partial \mathbf{z}} = \mathbf{W}\big(\mathbf{o} - \mathbf{y}\big)$$"),
    ("vectors", "1.4", BAD, r"$$\mathbf{o} = \sigma\left(\mathbf{z}^\top \mathbf{z}\right)$$"),
    # --- arg-max, indicators, cases, inline sets for the max-pool error -----------------------
    ("argmax/indicator/cases", "2.5", OK, r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2}\sum_{p_j=1}^{2} " + DZ + r"\, \mathbb{1}\left[(c_i,c_j) = \arg\max_{(a,b) \in W_{p_i,p_j}} y_{a,b,k}\right]$$ where $W_{p_i,p_j} = \{p_i, p_i+1\} \times \{p_j, p_j+1\}$"),
    ("argmax/indicator/cases", "2.5", OK, r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2}\sum_{p_j=1}^{2} " + DZ + r"\cdot 1\{(c_i,c_j) = \operatorname*{arg\,max}_{a \in \{p_i,p_i+1\},\, b \in \{p_j,p_j+1\}} y_{a,b,k}\}$$"),
    ("argmax/indicator/cases", "2.5", OK, "dE/dy[ci,cj,k] = sum(sum(dE/dz[pi,pj,k] * 1[(ci,cj) == argmax(y[a,b,k], a=pi..pi+1, b=pj..pj+1)], pi=1..2), pj=1..2)"),
    ("argmax/indicator/cases", "2.5", OK, r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2}\sum_{p_j=1}^{2} [\![ p_i \le c_i \le p_i+1 \wedge p_j \le c_j \le p_j+1 \wedge y_{c_i,c_j,k} = \max_{a \in \{p_i,p_i+1\}, b \in \{p_j, p_j+1\}} y_{a,b,k} ]\!]\, " + DZ + "$$"),
    ("argmax/indicator/cases", "2.5", OK, r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2}\sum_{p_j=1}^{2} \begin{cases} " + DZ + r", & (c_i, c_j) = \arg\max_{a \in \{p_i,p_i+1\}, b \in \{p_j,p_j+1\}} y_{a,b,k} \\ 0, & \text{else} \end{cases}$$"),
    ("argmax/indicator/cases", "2.5", BAD, r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2}\sum_{p_j=1}^{2} " + DZ + r"\, \mathbb{1}\left[(c_i,c_j) = \arg\min_{(a,b) \in W_{p_i,p_j}} y_{a,b,k}\right]$$ where $W_{p_i,p_j} = \{p_i, p_i+1\} \times \{p_j, p_j+1\}$"),
    ("argmax/indicator/cases", "2.5", BAD, r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2}\sum_{p_j=1}^{2} " + DZ + r"\cdot 1\{(c_i,c_j) = \operatorname*{arg\,max}_{a \in \{p_i,p_i+1\},\, b \in \{p_j,p_j+2\}} y_{a,b,k}\}$$"),
    ("argmax/indicator/cases", "2.5", BAD, "dE/dy[ci,cj,k] = sum(sum(dE/dz[pi,pj,k] * 1[(ci,cj) == argmax(y[a,b,k], a=pi..pi+1, b=pj..pj+1)], pi=1..2), pj=1..1)"),
    # --- gradients as ∇ of an element, ASCII sums with .. or "to", spaced d's, empty groups -------
    ("nabla/ascii ranges", "2.1", OK, r"$$\nabla_{w_{p_i,p_j,k,o_m}} E = (o_m - y_m)\, o_m (1 - o_m)\, z_{p_i,p_j,k}$$"),
    ("nabla/ascii ranges", "2.2", OK, r"$$\nabla_{z_{a,b,c}} E = \sum_{m=1}^{2} (o_m - y_m) o_m (1 - o_m) w_{a,b,c,o_m}$$"),
    ("nabla/ascii ranges", "2.2", BAD, r"$$\nabla_{z_{a,b,c}} E = \sum_{m=1}^{2} (o_m - y_m) o_m (1 - o_m) w_{b,a,c,o_m}$$"),
    ("nabla/ascii ranges", "1.3", OK, "z_{pi,pj,k} = sum_{a=0..1} (sum_{b=0 to 1} y_{pi+a,pj+b,k})"),
    ("nabla/ascii ranges", "1.4", OK, "o_m = sigma(sum_{k=1...3} sum_{pi=1..2} sum_{pj=1..2} z_{pi,pj,k}*w_{pi,pj,k,o_m})"),
    ("nabla/ascii ranges", "1.4", BAD, "o_m = sigma(sum_{k=1..2} sum_{pi=1..2} sum_{pj=1..2} z_{pi,pj,k}*w_{pi,pj,k,o_m})"),
    ("nabla/ascii ranges", "2.1", OK, "d E / d w_{pi,pj,k,o_m} = (o_m - y_m) * o_m * (1 - o_m) * z_{pi,pj,k}"),
    ("nabla/ascii ranges", "2.1", BAD, "d E / d w_{pi,pj,k,o_m} = (o_m - y_m) * (1 - o_m) * z_{pi,pj,k}"),
    ("nabla/ascii ranges", "1.3", OK, r"$$\begin{aligned} z_{p_i,p_j,k} &= {} y_{p_i,p_j,k} + y_{p_i+1,p_j,k} \\ &\quad {} + y_{p_i,p_j+1,k} + y_{p_i+1,p_j+1,k} \end{aligned}$$"),
    # --- a helper described in words that end on a bare symbol: the symbol is prose, not the value ---
    ("helper described in words", "1.4", OK, "Let $a_m$ denote the weighted input of output unit $m$.\n\n$$a_m = \\sum_{k=1}^{3}\\sum_{p_i=1}^{2}\\sum_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_i,p_j,k,o_m}$$\n\n$$o_m = \\sigma(a_m)$$"),
    ("helper described in words", "2.1", OK, "Write $e_m$ for the error term; let $e_m$ be the signal of neuron $m$.\n\n$$e_m = (o_m - y_m) o_m (1 - o_m)$$\n$$\\frac{\\partial E}{\\partial w_{p_i,p_j,k,o_m}} = e_m z_{p_i,p_j,k}$$"),
    ("helper described in words", "1.4", BAD, "Let $a_m$ denote the weighted input of output unit $m$.\n\n$$a_m = \\sum_{k=1}^{3}\\sum_{p_i=1}^{2}\\sum_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_i,p_j,k,o_1}$$\n\n$$o_m = \\sigma(a_m)$$"),
]


# A second batch, written after the first round of fixes, in yet other habits.
DY = r"\frac{\partial E}{\partial y_{c_i,c_j,k}}"
CASES += [
    ("quantifiers", "1.4", OK, r"$o_m = \sigma\left(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} z_{p_i,p_j,k}\, w_{p_i,p_j,k,m}\right)$ for $m \in \{1, 2\}$."),
    ("quantifiers", "1.4", OK, r"$$\forall m\in\{1,\ldots,2\}:\quad o_m = \sigma\Big(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} z_{p_i,p_j,k}\, w_{p_i,p_j,k,m}\Big)$$"),
    ("quantifiers", "2.3", OK, "For all $p_i, p_j \\in \\{1, 2\\}$: $$" + DY.replace("c_i,c_j", "p_i+a,p_j+b") + r" \mathrel{+}= \frac{\partial E}{\partial z_{p_i,p_j,k}} \quad \text{for } a, b \in \{0, 1\}$$"),
    ("quantifiers", "1.4", BAD, r"$o_m = \sigma\left(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{1} z_{p_i,p_j,k}\, w_{p_i,p_j,k,m}\right)$ for $m \in \{1, 2\}$."),
    ("vectors", "1.4", OK, r"$$\mathbf{o} = \sigma\!\left(\mathbf{z}^{\top}\mathbf{W}\right)^{\top}$$"),
    ("vectors", "2.1", OK, r"$$\nabla_{\mathbf{W}} E = \mathbf{z}\left[(\mathbf{o}-\mathbf{y})\odot\mathbf{o}\odot(1-\mathbf{o})\right]^T$$"),
    ("vectors", "2.2", OK, "dE/dz = W ((o - y) * o * (1 - o))"),
    ("vectors", "2.1", BAD, r"$$\nabla_{\mathbf{W}} E = \mathbf{z}\left[(\mathbf{o}-\mathbf{y})\odot(1-\mathbf{o})\right]^T$$"),
    # the axes are named (p for z's, m for o's), so a matrix written out × in reads the same
    ("vectors", "2.2", OK, "dE/dz = W^T ((o - y) * o * (1 - o))"),
    ("vectors", "1.4", OK, r"$$\mathbf{o} = \sigma(\mathbf{W}\mathbf{z})$$"),
    ("vectors", "2.1", OK, r"$$\frac{\partial E}{\partial \mathbf{W}} = \big((\mathbf{o}-\mathbf{y})\odot\mathbf{o}\odot(1-\mathbf{o})\big)\,\mathbf{z}^\top$$"),
    ("vectors", "2.1", BAD, r"$$\frac{\partial E}{\partial \mathbf{W}} = \big((\mathbf{o}-\mathbf{y})\odot(1-\mathbf{o})\big)\,\mathbf{z}^\top$$"),
    ("vectors", "1.4", BAD, r"$$\mathbf{o} = \sigma(\mathbf{W}\mathbf{W}^\top\mathbf{z})$$"),
    # a symbol of one's own defined element by element, then used as the vector of its elements
    ("vectors", "2.2", OK, r"Let $\delta_m = (o_m - y_m) o_m (1 - o_m)$. Then $$\frac{\partial E}{\partial \mathbf{z}} = \mathbf{W}\boldsymbol{\delta}$$"),
    ("vectors", "2.1", OK, r"$$\delta_m = (o_m - y_m)\, o_m (1 - o_m)$$ $$\nabla_W E = z\, \delta^T$$"),
    ("vectors", "2.2", BAD, r"Let $\delta_m = (o_m - y_m) o_m$. Then $$\frac{\partial E}{\partial \mathbf{z}} = \mathbf{W}\boldsymbol{\delta}$$"),
    ("own symbols", "2.1", OK, "$$ \\frac{\\partial E}{\\partial w_{p,q,k,o_m}} = \\delta_{m} \\cdot z_{p,q,k} $$\n$$ \\text{where } \\delta_{m} := (o_m - y_m) \\cdot o_m \\cdot (1 - o_m) $$"),
    ("own symbols", "2.2", OK, r"$$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} \delta_m\, w_{p_i,p_j,k,o_m} \quad \text{with } \delta_m = (o_m - y_m)\, o_m (1 - o_m)$$"),
    ("own symbols", "2.2", BAD, r"$$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} \delta_m\, w_{p_i,p_j,k,o_m} \quad \text{with } \delta_m = (o_m - y_m)\, (1 - o_m)$$"),
    ("index names", "2.5", OK, "dE/dy[r,c,ch] = sum(sum(dE/dz[pr,pc,ch] 1[r-1 <= pr <= r and c-1 <= pc <= c] 1[y[r,c,ch] == max(y[pr,pc,ch], y[pr,pc+1,ch], y[pr+1,pc,ch], y[pr+1,pc+1,ch])], pr=1..2), pc=1..2)"),
    ("index names", "2.5", BAD, "dE/dy[r,c,ch] = sum(sum(dE/dz[pr,pc,ch] 1[r-1 <= pr <= r and c-1 <= pc <= c] 1[y[r,c,ch] == max(y[pr,pc,ch], y[pr,pc+1,ch], y[pr+1,pc,ch], y[pr+1,pc+1,ch])], pr=1..2), pc=1..1)"),
    ("index names", "2.2", OK, "dE/dz[pi,pj,k] = sum((o[m] - y[m])*o[m]*(1 - o[m])*w[pi,pj,k,om], m=1..2)"),
    ("argmax/indicator/cases", "2.5", OK, r"$$" + DY + r" = \sum_{p_i=1}^{2}\sum_{p_j=1}^{2} \frac{\partial E}{\partial z_{p_i,p_j,k}} \cdot \mathbb{1}\Big[(c_i, c_j) = \underset{(a,b) \in \{p_i,p_i+1\}\times\{p_j,p_j+1\}}{\operatorname{argmax}}\; y_{a,b,k}\Big]$$"),
    ("argmax/indicator/cases", "2.5", OK, r"$$" + DY + r" = \sum_{p_i=1}^{2}\sum_{p_j=1}^{2} \begin{dcases} \frac{\partial E}{\partial z_{p_i,p_j,k}} & \text{if } y_{c_i,c_j,k} = \max\limits_{a \in \{p_i, p_i+1\},\ b \in \{p_j, p_j+1\}} y_{a,b,k} \text{ and } p_i \le c_i \le p_i + 1 \text{ and } p_j \le c_j \le p_j+1 \\ 0 & \text{otherwise} \end{dcases}$$"),
    ("argmax/indicator/cases", "2.5", OK, r"$$" + DY + r" = \sum_{p_i=1}^{2}\sum_{p_j=1}^{2} \mathbb{1}_{\{(c_i,c_j) = \arg\max_{a\in\{p_i,p_i+1\}, b\in\{p_j,p_j+1\}} y_{a,b,k}\}}\, \frac{\partial E}{\partial z_{p_i,p_j,k}}$$"),
    ("argmax/indicator/cases", "2.5", BAD, r"$$" + DY + r" = \sum_{p_i=1}^{2}\sum_{p_j=1}^{2} \frac{\partial E}{\partial z_{p_i,p_j,k}} \cdot \mathbb{1}\Big[(c_j, c_i) = \underset{(a,b) \in \{p_i,p_i+1\}\times\{p_j,p_j+1\}}{\operatorname{argmax}}\; y_{a,b,k}\Big]$$"),
    ("markdown/prose", "2.2", OK, "> Reminder: E = ½ Σ (o − y)².\n\n**Answer:** by the chain rule, $\\frac{\\partial E}{\\partial z_{p_i,p_j,k}} = \\sum_{m} \\frac{\\partial E}{\\partial o_m}\\frac{\\partial o_m}{\\partial z_{p_i,p_j,k}}$, hence\n\n$$\\frac{\\partial E}{\\partial z_{p_i,p_j,k}} = \\sum_{m=1}^{2}(o_m-y_m)\\,o_m(1-o_m)\\,w_{p_i,p_j,k,m}.$$"),
    ("markdown/prose", "1.3", OK, "1) Each pooled value is a window sum:\n   $z_{p_i,p_j,k} = \\sum_{a=0}^{1}\\sum_{b=0}^{1} y_{p_i+a,\\,p_j+b,\\,k}$\n2) (that's it)"),
    ("markdown/prose", "1.3", BAD, "1) Each pooled value is a window sum:\n   $z_{p_i,p_j,k} = \\sum_{a=0}^{1}\\sum_{b=0}^{0} y_{p_i+a,\\,p_j+b,\\,k}$\n2) (that's it)"),
    ("own symbols", "2.4", OK, r"With $g_{c_i,c_j,k} := \frac{\partial E}{\partial y_{c_i,c_j,k}}\, y_{c_i,c_j,k}(1-y_{c_i,c_j,k})$ we get $$\frac{\partial E}{\partial w_{f_i,f_j,k}} = \sum_{c_i=1}^{3}\sum_{c_j=1}^{3} g_{c_i,c_j,k}\, x_{c_i+f_i-1,\, c_j+f_j-1}$$"),
    ("own symbols", "2.4", BAD, r"With $g_{c_i,c_j,k} := \frac{\partial E}{\partial y_{c_i,c_j,k}}\, y_{c_i,c_j,k}$ we get $$\frac{\partial E}{\partial w_{f_i,f_j,k}} = \sum_{c_i=1}^{3}\sum_{c_j=1}^{3} g_{c_i,c_j,k}\, x_{c_i+f_i-1,\, c_j+f_j-1}$$"),
    ("chains", "2.1", OK, r"$$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = \frac{\partial E}{\partial o_m}\cdot\frac{\partial o_m}{\partial w_{p_i,p_j,k,o_m}} \Rightarrow \frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = (o_m-y_m)\,o_m(1-o_m)\,z_{p_i,p_j,k}$$"),
    ("unicode", "2.4", OK, "∂E/∂w_{f_i,f_j,k} = Σ_{c_i=1}^{3} Σ_{c_j=1}^{3} ∂E/∂y_{c_i,c_j,k} · y_{c_i,c_j,k} · (1 − y_{c_i,c_j,k}) · x_{c_i+f_i−1, c_j+f_j−1}"),
    ("unicode", "2.4", BAD, "∂E/∂w_{f_i,f_j,k} = Σ_{c_i=1}^{3} Σ_{c_j=1}^{3} ∂E/∂y_{c_i,c_j,k} · y_{c_i,c_j,k} · (1 − y_{c_i,c_j,k}) · x_{c_i+f_j−1, c_j+f_i−1}"),
    ("products", "1.2", OK, r"$y_{c_i,c_j,k}=\sigma(w_{1,1,k}x_{c_i,c_j}+w_{1,2,k}x_{c_i,c_j+1}+w_{2,1,k}x_{c_i+1,c_j}+w_{2,2,k}x_{c_i+1,c_j+1})$"),
    ("products", "1.2", BAD, r"$y_{c_i,c_j,k}=\sigma(w_{1,1,k}x_{c_i,c_j}+w_{1,2,k}x_{c_i,c_j+1}+w_{2,1,k}x_{c_i+1,c_j}+w_{2,2,k}x_{c_i+1,c_j})$"),
]


# A third batch: d-fractions and sums written without their ranges (each index's extent comes
# from the quantities it indexes).
CASES += [
    ("d-fractions", "2.2", OK, r"$$\frac{dE}{dz_{p_i,p_j,k}} = \sum_{m} (o_m - y_m)\, o_m (1-o_m)\, w_{p_i,p_j,k,m}$$"),
    ("d-fractions", "2.2", OK, r"$$\frac{\mathrm{d}E}{\mathrm{d}z_{p_i,p_j,k}} = \sum_{m=1}^{2} (o_m - y_m) o_m (1-o_m) w_{p_i,p_j,k,m}$$"),
    ("d-fractions", "2.4", OK, r"$$\frac{d E}{d w_{f_i,f_j,k}} = \sum_{c_i, c_j \in \{1, \dots, 3\}} \frac{dE}{dy_{c_i,c_j,k}}\, y_{c_i,c_j,k}(1-y_{c_i,c_j,k})\, x_{c_i+f_i-1,c_j+f_j-1}$$"),
    ("d-fractions", "2.4", BAD, r"$$\frac{d E}{d w_{f_i,f_j,k}} = \sum_{c_i, c_j \in \{1, \dots, 3\}} \frac{dE}{dy_{c_i,c_j,k}}\, x_{c_i+f_i-1,c_j+f_j-1}$$"),
    ("sums without ranges", "1.4", OK, r"$$o_m = \sigma\left(\sum_{k}\sum_{p_i, p_j} z_{p_i,p_j,k}\, w_{p_i,p_j,k,m}\right)$$"),
    ("sums without ranges", "1.4", OK, r"$$o_m = \sigma\left(\sum_k\sum_{p_i}\sum_{p_j} z_{p_i,p_j,k}\, w_{p_i,p_j,k,m}\right)$$"),
    ("sums without ranges", "2.2", OK, "∂E/∂z_{p_i,p_j,k} = Σ_m (o_m − y_m) o_m (1 − o_m) w_{p_i,p_j,k,m}"),
    ("sums without ranges", "1.4", BAD, r"$$o_m = \sigma\left(\sum_{k}\sum_{p_i} z_{p_i,p_i,k}\, w_{p_i,p_i,k,m}\right)$$"),
    ("sums without ranges", "2.4", OK, r"$$\frac{\partial E}{\partial w_{f_i,f_j,k}} = \sum_{a}\sum_{b} \frac{\partial E}{\partial y_{a,b,k}} y_{a,b,k}(1-y_{a,b,k}) x_{a+f_i-1,b+f_j-1}$$"),
    ("sums without ranges", "2.4", BAD, r"$$\frac{\partial E}{\partial w_{f_i,f_j,k}} = \sum_{a}\sum_{b} \frac{\partial E}{\partial y_{a,b,k}} y_{a,b,k}(1-y_{a,b,k}) x_{a+f_i,b+f_j-1}$$"),
]


# A fourth batch: more spellings of the quantifier and of prose inside the math.
O4 = r"o_m = \sigma\left(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_i,p_j,k,m}\right)"
CASES += [
    ("quantifiers", "1.4", OK, f"$${O4}, \\quad m \\in [1, 2]$$"),
    ("quantifiers", "1.4", OK, f"$${O4} \\quad (\\forall m)$$"),
    ("quantifiers", "1.4", OK, f"$${O4} \\qquad \\text{{for }} m = 1 \\text{{ and }} m = 2$$"),
    ("quantifiers", "1.4", OK, f"$${O4} \\text{{, for each output }} m$$"),
    ("quantifiers", "1.4", OK, f"For both outputs ($m = 1, 2$): $${O4}$$"),
    ("markdown/prose", "1.4", OK, f"$${O4} \\quad \\text{{(by the chain rule)}}$$"),
    ("quantifiers", "1.4", BAD, f"$${O4} \\qquad \\text{{for }} m = 1 \\text{{ and }} m = 1$$"),
    ("layer labels", "2.2", OK, r"Let $\delta^{\text{out}}_m = (o_m - y_m)\, o_m (1 - o_m)$. $$\frac{\partial E}{\partial z^{[L-1]}_{p_i,p_j,k}} = \sum_{m=1}^{2} \delta^{\text{out}}_m\, w^{(L)}_{p_i,p_j,k,m}$$"),
    ("layer labels", "2.2", BAD, r"Let $\delta^{\text{out}}_m = (o_m - y_m)\, o_m$. $$\frac{\partial E}{\partial z^{[L-1]}_{p_i,p_j,k}} = \sum_{m=1}^{2} \delta^{\text{out}}_m\, w^{(L)}_{p_i,p_j,k,m}$$"),
    ("sigma' and exp", "1.2", OK, r"Let $s_{c_i,c_j,k} = \sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b-1} w_{a,b,k}$. $$y_{c_i,c_j,k} = 1 - \frac{\sigma^{\prime}(s_{c_i,c_j,k})}{\sigma(s_{c_i,c_j,k})}$$"),
    ("quantifiers", "1.4", BAD, f"$${O4.replace('w_{p_i,p_j,k,m}', 'w_{p_i,p_j,k,1}')} \\quad (\\forall m)$$"),
]


# A fifth batch, plain text as typed in an editor: indices in parentheses or chained brackets,
# subscripts without commas, "sum over m of", "for all m in {1,2}" (3/10 accepted before its fixes).
CASES += [
    ("plain text", "2.1", OK, "dE/dw(p,q,k,m) = (o(m) - y(m)) * o(m) * (1 - o(m)) * z(p,q,k)"),
    ("plain text", "2.1", BAD, "dE/dw(p,q,k,m) = (o(m) - y(m)) * o(m) * (1 - o(m)) * z(q,p,k)"),
    ("plain text", "1.4", OK, "o_m = sigmoid( sum_{k=1}^{3} sum_{pi=1}^{2} sum_{pj=1}^{2} z_{pi,pj,k} * w_{pi,pj,k,m} ) for all m in {1,2}"),
    ("plain text", "1.4", BAD, "o_m = sigmoid( sum_{k=1}^{3} sum_{pi=1}^{2} sum_{pj=1}^{2} z_{pi,pj,k} * w_{pi,pj,k,m} ) for all m in {1,1}"),
    ("plain text", "1.3", OK, "z(pi,pj,k) = y(pi,pj,k) + y(pi,pj+1,k) + y(pi+1,pj,k) + y(pi+1,pj+1,k)"),
    ("plain text", "2.2", OK, "dE/dz_{pi,pj,k} = sum over m of (o_m - y_m) o_m (1 - o_m) w_{pi,pj,k,m}"),
    ("plain text", "2.2", BAD, "dE/dz_{pi,pj,k} = sum over m of (o_m - y_m) o_m w_{pi,pj,k,m}"),
    ("plain text", "1.2", OK, "y[ci][cj][k] = sigma(x[ci][cj]*w[1][1][k] + x[ci][cj+1]*w[1][2][k] + x[ci+1][cj]*w[2][1][k] + x[ci+1][cj+1]*w[2][2][k])"),
    ("plain text", "1.2", BAD, "y[ci][cj][k] = sigma(x[ci][cj]*w[1][1][k] + x[ci][cj+1]*w[2][1][k] + x[ci+1][cj]*w[1][2][k] + x[ci+1][cj+1]*w[2][2][k])"),
    ("plain text", "2.1", OK, r"$\frac{\partial E}{\partial w_{p_i p_j k o_m}} = (o_m - y_m) o_m (1-o_m) z_{p_i p_j k}$"),
    ("plain text", "2.1", BAD, r"$\frac{\partial E}{\partial w_{p_i p_j k o_m}} = (o_m - y_m) o_m (1-o_m) z_{p_j p_i k}$"),
    ("plain text", "2.4", OK, "dE/dw[fi,fj,k] = Σ_{ci,cj} dE/dy[ci,cj,k] · y[ci,cj,k](1 − y[ci,cj,k]) · x[ci+fi−1, cj+fj−1]"),
    ("plain text", "2.3", OK, "dE/dy[ci,cj,k] = sum_{pi=max(1,ci-1)}^{min(2,ci)} sum_{pj=max(1,cj-1)}^{min(2,cj)} dE/dz[pi,pj,k]"),
]


# A sixth batch (issue #25, second round): boxed answers, compact indices split by the quantity's
# arity, functions of the student's own, equation furniture, multi-step derivations, 1.1 as a
# table or in prose, sums and products in words, helpers defined in prose, element-wise left sides.
W21 = r"\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}}"
CASES += [
    ("boxed", "2.1", OK, r"$$\boxed{" + W21 + r" = (o_m - y_m)\, o_m (1 - o_m)\, z_{p_i,p_j,k}}$$"),
    ("boxed", "2.1", OK, r"$$" + W21 + r" = \boxed{(o_m - y_m)\, o_m (1 - o_m)\, z_{p_i,p_j,k}}$$"),
    ("boxed", "1.3", OK, "Answer: $\\boxed{z_{p_i,p_j,k} = y_{p_i,p_j,k} + y_{p_i,p_j+1,k} + y_{p_i+1,p_j,k} + y_{p_i+1,p_j+1,k}}$"),
    ("boxed", "1.1", OK, "**Final answer:** \\fbox{$c_w = 3$}, \\fbox{$c_h = 3$}, $\\bbox{p_w = 2}$, $\\bbox[yellow]{p_h = 2}$"),
    ("boxed", "2.2", OK, "**Final answer:** $$\\frac{\\partial E}{\\partial z_{p_i,p_j,k}} = \\sum_{m=1}^{2} \\boxed{(o_m-y_m)\\,o_m(1-o_m)}\\, w_{p_i,p_j,k,m}$$"),
    ("boxed", "2.2", OK, "Answer: \\boxed{dE/dz[pi,pj,k] = sum((o[m] - y[m])*o[m]*(1 - o[m])*w[pi,pj,k,m], m=1..2)}"),
    ("boxed", "2.2", BAD, "Answer: \\boxed{dE/dz[pi,pj,k] = sum((o[m] - y[m])*o[m]*w[pi,pj,k,m], m=1..2)}"),
    ("boxed", "2.1", BAD, r"$$" + W21 + r" = \boxed{(o_m - y_m)\, (1 - o_m)\, z_{p_i,p_j,k}}$$"),
    ("boxed", "1.1", BAD, "**Final answer:** \\fbox{$c_w = 3$}, \\fbox{$c_h = 2$}, $\\bbox{p_w = 2}$, $\\bbox[yellow]{p_h = 2}$"),
    ("compact indices", "1.3", OK, "z_{ijk} = y_{ijk} + y_{i,j+1,k} + y_{i+1,j,k} + y_{i+1,j+1,k}"),
    ("compact indices", "1.2", OK, r"$$y_{ijk} = \sigma\Big(\sum_{a=1}^{2}\sum_{b=1}^{2} x_{i+a-1,j+b-1}\, w_{abk}\Big)$$"),
    ("compact indices", "1.2", OK, r"$$y_{ijk} = \sigma\big(w_{11k} x_{ij} + w_{12k} x_{i,j+1} + w_{21k} x_{i+1,j} + w_{22k} x_{i+1,j+1}\big)$$"),
    ("compact indices", "1.2", OK, r"$$y_{ijk} = \sigma\Big(\sum_{a=0}^{1}\sum_{b=0}^{1} x_{(i+a)(j+b)}\, w_{(a+1)(b+1)k}\Big)$$"),
    ("compact indices", "2.1", OK, r"$$\frac{\partial E}{\partial w_{pq k m}} = (o_m - y_m) o_m (1 - o_m) z_{pqk}$$"),
    ("compact indices", "1.2", BAD, r"$$y_{ijk} = \sigma\big(w_{11k} x_{ij} + w_{21k} x_{i,j+1} + w_{12k} x_{i+1,j} + w_{22k} x_{i+1,j+1}\big)$$"),
    ("compact indices", "2.1", BAD, r"$$\frac{\partial E}{\partial w_{pq k m}} = (o_m - y_m) o_m (1 - o_m) z_{qpk}$$"),
    ("own functions", "1.2", OK, r"$$y_{c_i,c_j,k} = \operatorname{sig}\Big(\sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b-1} w_{a,b,k}\Big)$$ where $\operatorname{sig}(t) = 1/(1+e^{-t})$."),
    ("own functions", "1.4", OK, r"Let $g(t) = \frac{1}{1+e^{-t}}$. Then $$o_m = g\Big(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_i,p_j,k,m}\Big)$$"),
    ("own functions", "1.4", OK, r"$$o_m = \mathrm{sigm}\Big(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_i,p_j,k,m}\Big)$$ (let sigm denote the logistic function)"),
    ("own functions", "1.4", OK, r"$$o_m = \operatorname{logistic}\Big(\sum_{k}\sum_{p_i}\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,m}\Big)$$"),
    ("own functions", "1.2", OK, r"With $S(x) = 1/(1+\exp(-x))$: $$y_{c_i,c_j,k} = S\Big(\sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b-1} w_{a,b,k}\Big)$$"),
    ("own functions", "1.4", BAD, r"Let $g(t) = \frac{1}{1+e^{t}}$. Then $$o_m = g\Big(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_i,p_j,k,m}\Big)$$"),
    ("own functions", "1.2", BAD, r"With $S(x) = 1/(1+\exp(-x))$: $$y_{c_i,c_j,k} = S\Big(\sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b} w_{a,b,k}\Big)$$"),
    ("equation furniture", "2.1", OK, "\\begin{equation*}\n" + W21 + r" = (o_m - y_m)\, o_m (1 - o_m)\, z_{p_i,p_j,k} \label{eq:dw} \tag{2.1}" + "\n\\end{equation*}"),
    ("equation furniture", "1.1", OK, "\\begin{align*}\nc_w &= 3 & c_h &= 3 \\\\[4pt]\np_w &= 2 & p_h &= 2 \\nonumber\n\\end{align*}"),
    ("equation furniture", "1.3", OK, "\\begin{multline}\nz_{p_i,p_j,k} = y_{p_i,p_j,k} + y_{p_i,p_j+1,k} \\\\\n + y_{p_i+1,p_j,k} + y_{p_i+1,p_j+1,k} \\notag\n\\end{multline}"),
    ("equation furniture", "2.2", OK, "\\begin{gather}\n\\delta_m = (o_m - y_m) o_m (1 - o_m) \\label{d} \\\\\n\\intertext{and so}\n\\frac{\\partial E}{\\partial z_{p_i,p_j,k}} = \\sum_{m=1}^{2} \\delta_m w_{p_i,p_j,k,m} \\tag{$*$}\n\\end{gather}"),
    ("equation furniture", "1.1", BAD, "\\begin{align*}\nc_w &= 3 & c_h &= 3 \\\\[4pt]\np_w &= 2 & p_h &= 3 \\nonumber\n\\end{align*}"),
    ("equation furniture", "2.2", BAD, "\\begin{gather}\n\\delta_m = (o_m - y_m) (1 - o_m) \\label{d} \\\\\n\\intertext{and so}\n\\frac{\\partial E}{\\partial z_{p_i,p_j,k}} = \\sum_{m=1}^{2} \\delta_m w_{p_i,p_j,k,m} \\tag{$*$}\n\\end{gather}"),
    ("derivations", "2.1", OK, "\\begin{align*}\n" + W21 + r" &= \frac{\partial E}{\partial o_m} \cdot \frac{\partial o_m}{\partial net_m} \cdot \frac{\partial net_m}{\partial w_{p_i,p_j,k,o_m}} \\ &= (o_m - y_m)\, o_m (1 - o_m)\, z_{p_i,p_j,k}" + "\n\\end{align*}"),
    ("derivations", "2.2", OK, "$$\\frac{\\partial E}{\\partial z_{p_i,p_j,k}} = \\sum_m \\frac{\\partial E}{\\partial o_m}\\frac{\\partial o_m}{\\partial z_{p_i,p_j,k}}$$\n$$= \\sum_{m=1}^{2} (o_m - y_m)\\,o_m(1-o_m)\\,w_{p_i,p_j,k,m}$$"),
    ("derivations", "2.1", BAD, "\\begin{align*}\n" + W21 + r" &= \frac{\partial E}{\partial o_m} \cdot \frac{\partial o_m}{\partial net_m} \cdot \frac{\partial net_m}{\partial w_{p_i,p_j,k,o_m}} \\ &= (o_m - y_m)\, (1 - o_m)\, z_{p_i,p_j,k}" + "\n\\end{align*}"),
    ("sizes table/prose", "1.1", OK, "| quantity | value |\n|---|---|\n| $c_w$ | 3 |\n| $c_h$ | 3 |\n| $p_w$ | 2 |\n| $p_h$ | 2 |\n"),
    ("sizes table/prose", "1.1", OK, "$c_w = 3; c_h = 3; p_w = 2; p_h = 2$"),
    ("sizes table/prose", "1.1", OK, "The convolution layer has width 3, height 3 ($c_w$, $c_h$); the pooling layer has width 2, height 2 ($p_w$, $p_h$)."),
    ("sizes table/prose", "1.1", OK, "- c_w: 3\n- c_h: 3\n- p_w: 2\n- p_h: 2\n"),
    ("sizes table/prose", "1.1", OK, "$c_w$ and $c_h$ are both 3, and $p_w$ is 2 and $p_h$ equals 2."),
    ("sizes table/prose", "1.1", OK, "$(c_w, c_h) = (3, 3)$ and $(p_w, p_h) = (2, 2)$"),
    ("sizes table/prose", "1.1", BAD, "$(c_w, c_h) = (3, 3)$ and $(p_w, p_h) = (3, 2)$"),
    ("sizes table/prose", "1.1", BAD, "The convolution layer has width 3, height 2 ($c_w$, $c_h$); the pooling layer has width 2, height 2 ($p_w$, $p_h$)."),
    ("sizes table/prose", "1.1", BAD, "| quantity | value |\n|---|---|\n| $c_w$ | 3 |\n| $c_h$ | 3 |\n| $p_w$ | 2 |\n| $p_h$ | 3 |\n"),
    ("sizes table/prose", "1.1", BAD, "- c_w: 3\n- c_h: 2\n- p_w: 2\n- p_h: 2\n"),
    ("sums in words", "2.2", OK, "dE/dz_{pi,pj,k} = sum over m of (o_m - y_m) times o_m times (1 - o_m) times w_{pi,pj,k,m}"),
    ("sums in words", "1.4", OK, "o_m = sigma(sum over p_i, p_j, k of z_{p_i,p_j,k} multiplied by w_{p_i,p_j,k,m})"),
    # (σ' is only computable here through 1.2's net input: 1 − σ'(s)/σ(s) = σ(s))
    ("sums in words", "1.2", OK, "y_{ci,cj,k} = 1 - (the derivative of sigma at s_{ci,cj,k}) / sigma(s_{ci,cj,k}), where s_{ci,cj,k} = the sum over a, b of x_{ci+a-1,cj+b-1} multiplied by w_{a,b,k}"),
    ("sums in words", "1.2", BAD, "y_{ci,cj,k} = 1 - (the derivative of sigma at s_{ci,cj,k}) / sigma(s_{ci,cj,k}), where s_{ci,cj,k} = the sum over a, b of x_{ci+a-1,cj+b} multiplied by w_{a,b,k}"),
    ("sums in words", "2.1", OK, "dE/dw_{pi,pj,k,m} = (o_m - y_m) times o_m times (1 - o_m) times z_{pi,pj,k}"),
    ("sums in words", "1.3", OK, "z_{pi,pj,k} = the sum over a from 0 to 1 of the sum over b from 0 to 1 of y_{pi+a,pj+b,k}"),
    ("sums in words", "1.3", BAD, "z_{pi,pj,k} = the sum over a from 0 to 1 of the sum over b from 1 to 1 of y_{pi+a,pj+b,k}"),
    ("sums in words", "2.2", BAD, "dE/dz_{pi,pj,k} = sum over m of (o_m - y_m) times (1 - o_m) times w_{pi,pj,k,m}"),
    ("sums in words", "1.4", BAD, "o_m = sigma(sum over p_i, k of z_{p_i,p_i,k} multiplied by w_{p_i,p_i,k,m})"),
    ("helpers in prose", "1.2", OK, "Here h is the pre-activation, $h_{c_i,c_j,k} = \\sum_{a=1}^{2}\\sum_{b=1}^{2} x_{c_i+a-1,c_j+b-1} w_{a,b,k}$, and $y_{c_i,c_j,k} = \\sigma(h_{c_i,c_j,k})$."),
    ("helpers in prose", "1.4", OK, "$o_m = \\sigma(h_m)$ with $h_m$ denoting the net input, $h_m = \\sum_{k}\\sum_{p_i}\\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,m}$."),
    ("helpers in prose", "1.4", BAD, "$o_m = \\sigma(h_m)$ with $h_m$ denoting the net input, $h_m = \\sum_{k}\\sum_{p_i}\\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,1}$."),
    ("element-wise left sides", "2.4", OK, r"$$\frac{\partial E}{\partial w_{u+1,v+1,k}} = \sum_{c_i=1}^{3}\sum_{c_j=1}^{3} \frac{\partial E}{\partial y_{c_i,c_j,k}} y_{c_i,c_j,k}(1-y_{c_i,c_j,k}) x_{c_i+u,c_j+v} \quad \text{for } u, v = 0, 1$$"),
    ("element-wise left sides", "2.4", BAD, r"$$\frac{\partial E}{\partial w_{u+1,v+1,k}} = \sum_{c_i=1}^{3}\sum_{c_j=1}^{3} \frac{\partial E}{\partial y_{c_i,c_j,k}} y_{c_i,c_j,k}(1-y_{c_i,c_j,k}) x_{c_i+u+1,c_j+v} \quad \text{for } u, v = 0, 1$$"),
    ("element-wise left sides", "1.2", OK, r"$$y_{i,j,k} = \sigma(\mathrm{net}_{i,j,k})$$ with $$\mathrm{net}_{i,j,k} = \sum_{a=1}^{2}\sum_{b=1}^{2} x_{i+a-1,j+b-1} w_{a,b,k}$$"),
    ("element-wise left sides", "2.4", OK, "$$" + "\n$$".join(
        rf"\frac{{\partial E}}{{\partial w_{{{a},{b},k}}}} = \sum_{{c_i=1}}^{{3}}\sum_{{c_j=1}}^{{3}} \frac{{\partial E}}{{\partial y_{{c_i,c_j,k}}}} y_{{c_i,c_j,k}}(1-y_{{c_i,c_j,k}}) x_{{c_i+{a-1},c_j+{b-1}}}$$"
        for a in (1, 2) for b in (1, 2))),
    ("element-wise left sides", "2.4", BAD, "$$" + "\n$$".join(
        rf"\frac{{\partial E}}{{\partial w_{{{a},{b},k}}}} = \sum_{{c_i=1}}^{{3}}\sum_{{c_j=1}}^{{3}} \frac{{\partial E}}{{\partial y_{{c_i,c_j,k}}}} y_{{c_i,c_j,k}}(1-y_{{c_i,c_j,k}}) x_{{c_i+{b-1},c_j+{a-1}}}$$"
        for a in (1, 2) for b in (1, 2))),
    ("element-wise left sides", "2.4", BAD, "$$" + "\n$$".join(
        rf"\frac{{\partial E}}{{\partial w_{{{a},{b},k}}}} = \sum_{{c_i=1}}^{{3}}\sum_{{c_j=1}}^{{3}} \frac{{\partial E}}{{\partial y_{{c_i,c_j,k}}}} y_{{c_i,c_j,k}}(1-y_{{c_i,c_j,k}}) x_{{c_i+{a-1},c_j+{b-1}}}$$"
        for a, b in ((1, 1), (1, 2), (2, 1)))),
]


# A seventh batch: the same categories in yet other habits (one student's layout each).
O14 = r"o_m = \sigma\Big(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} z_{p_i,p_j,k}\, w_{p_i,p_j,k,m}\Big)"
CASES += [
    ("boxed", "1.4", OK, r"$$\fbox{$" + O14 + r"$}$$"),
    ("boxed", "1.1", OK, "Ans: $\\boxed{c_w = 3,\\ c_h = 3}$ and $\\boxed{p_w = 2,\\ p_h = 2}$"),
    ("boxed", "1.1", BAD, "Ans: $\\boxed{c_w = 3,\\ c_h = 3}$ and $\\boxed{p_w = 2,\\ p_h = 1}$"),
    ("compact indices", "1.3", OK, r"$z_{ijk} = \sum_{a=0}^{1}\sum_{b=0}^{1} y_{(i+a)(j+b)k}$"),
    ("compact indices", "1.3", BAD, r"$z_{ijk} = \sum_{a=0}^{1}\sum_{b=0}^{1} y_{(i+a)(j+a)k}$"),
    ("compact indices", "2.2", OK, r"$\frac{\partial E}{\partial z_{ijk}} = \sum_{m=1}^{2} (o_m - y_m) o_m (1 - o_m) w_{ijkm}$"),
    ("compact indices", "2.2", BAD, r"$\frac{\partial E}{\partial z_{ijk}} = \sum_{m=1}^{2} (o_m - y_m) o_m (1 - o_m) w_{jikm}$"),
    ("own functions", "1.4", OK, r"$$o_m = f\Big(\sum_{k}\sum_{p_i}\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,m}\Big), \quad f(u) = \frac{1}{1 + \mathrm{e}^{-u}}$$"),
    ("own functions", "1.2", OK, r"$$y_{c_i,c_j,k} = \text{sig}\Big(\sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b-1} w_{a,b,k}\Big)$$"),
    ("own functions", "1.4", BAD, r"$$o_m = f\Big(\sum_{k}\sum_{p_i}\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,m}\Big), \quad f(u) = \frac{1}{1 + \mathrm{e}^{u}}$$"),
    ("equation furniture", "2.1", OK, "\\begin{alignat*}{2}\n" + W21 + r" &= (o_m - y_m)\, o_m (1 - o_m)\, z_{p_i,p_j,k} &\qquad& \text{(chain rule)} \hfill" + "\n\\end{alignat*}"),
    ("equation furniture", "2.1", OK, "Using the chain rule, with $o_m$ the output:\n\\begin{alignat*}{2}\n" + W21 + r" &= (o_m - y_m)\, o_m (1 - o_m)\, z_{p_i,p_j,k} &\qquad& \text{(chain rule)}" + "\n\\end{alignat*}"),
    ("equation furniture", "2.1", BAD, "Using the chain rule, with $o_m$ the output:\n\\begin{alignat*}{2}\n" + W21 + r" &= (o_m - y_m)\, o_m (1 - o_m)\, z_{p_j,p_i,k} &\qquad& \text{(chain rule)}" + "\n\\end{alignat*}"),
    ("equation furniture", "1.3", OK, "\\begin{eqnarray*}\nz_{p_i,p_j,k} &=& y_{p_i,p_j,k} + y_{p_i,p_j+1,k} \\nonumber \\\\\n&& +\\, y_{p_i+1,p_j,k} + y_{p_i+1,p_j+1,k}\n\\end{eqnarray*}"),
    ("equation furniture", "1.3", BAD, "\\begin{eqnarray*}\nz_{p_i,p_j,k} &=& y_{p_i,p_j,k} + y_{p_i,p_j+1,k} \\nonumber \\\\\n&& +\\, y_{p_i+1,p_j,k} + y_{p_i+1,p_j,k}\n\\end{eqnarray*}"),
    ("derivations", "2.2", OK, r"$$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_m \underbrace{(o_m - y_m)}_{\partial E/\partial o_m} \underbrace{o_m(1-o_m)}_{\sigma'} \, w_{p_i,p_j,k,m}$$"),
    ("derivations", "2.2", BAD, r"$$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_m \underbrace{(o_m - y_m)}_{\partial E/\partial o_m} \underbrace{(1-o_m)}_{\sigma'} \, w_{p_i,p_j,k,m}$$"),
    ("derivations", "2.1", OK, "$$" + W21 + r" = \frac{\partial E}{\partial o_m} \cdot \underbrace{\frac{\partial o_m}{\partial \mathrm{net}_m}}_{\sigma'(\mathrm{net}_m)} \cdot \frac{\partial \mathrm{net}_m}{\partial w} = (o_m - y_m)\,o_m(1-o_m)\,z_{p_i,p_j,k}$$"),
    ("sizes table/prose", "1.1", OK, "| $c_w$ | $c_h$ | $p_w$ | $p_h$ |\n|:-:|:-:|:-:|:-:|\n| 3 | 3 | 2 | 2 |\n"),
    ("sizes table/prose", "1.1", BAD, "| $c_w$ | $c_h$ | $p_w$ | $p_h$ |\n|:-:|:-:|:-:|:-:|\n| 3 | 3 | 2 | 3 |\n"),
    ("sizes table/prose", "1.1", OK, "$c_w = 3$ (width), $c_h = 3$ (height), $p_w = 2$ (width), $p_h = 2$ (height)"),
    ("sizes table/prose", "1.1", OK, "$c_w \\times c_h = 3 \\times 3$ and $p_w \\times p_h = 2 \\times 2$"),
    ("sizes table/prose", "1.1", BAD, "$c_w \\times c_h = 3 \\times 2$ and $p_w \\times p_h = 2 \\times 2$"),
    ("sums in words", "1.3", OK, "z_{pi,pj,k} = y_{pi,pj,k} plus y_{pi,pj+1,k} plus y_{pi+1,pj,k} plus y_{pi+1,pj+1,k}, for each window"),
    ("sums in words", "2.2", OK, "dE/dz_{pi,pj,k} = sum over m of (o_m minus y_m) times o_m times (1 minus o_m) times w_{pi,pj,k,m}"),
    ("sums in words", "1.3", BAD, "z_{pi,pj,k} = y_{pi,pj,k} plus y_{pi,pj+1,k} plus y_{pi+1,pj,k} plus y_{pi+1,pj,k}, for each window"),
    ("helpers in prose", "1.4", OK, r"Let $h_m$ denote $\sum_{k}\sum_{p_i}\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,m}$. Then $o_m = \sigma(h_m)$."),
    ("helpers in prose", "1.2", OK, r"$y_{c_i,c_j,k} = \sigma(s_{c_i,c_j,k})$ with $s_{c_i,c_j,k}$ being $\sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b-1} w_{a,b,k}$."),
    ("helpers in prose", "1.2", BAD, r"$y_{c_i,c_j,k} = \sigma(s_{c_i,c_j,k})$ with $s_{c_i,c_j,k}$ being $\sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b} w_{a,b,k}$."),
    ("helpers in prose", "2.1", OK, r"The error signal is $(o_m - y_m)\, o_m (1 - o_m)$, which we call $\delta_m$. Then $$" + W21 + r" = \delta_m z_{p_i,p_j,k}$$"),
    ("element-wise left sides", "2.4", OK, r"For $u, v \in \{0, 1\}$: $$\frac{\partial E}{\partial w_{1+u,1+v,k}} = \sum_{c_i=1}^{3}\sum_{c_j=1}^{3} \frac{\partial E}{\partial y_{c_i,c_j,k}} y_{c_i,c_j,k}(1-y_{c_i,c_j,k}) x_{c_i+u,c_j+v}$$"),
    ("element-wise left sides", "1.3", OK, "$$" + "$$\n$$".join(
        rf"z_{{{a},{b},k}} = y_{{{a},{b},k}} + y_{{{a},{b + 1},k}} + y_{{{a + 1},{b},k}} + y_{{{a + 1},{b + 1},k}}"
        for a in (1, 2) for b in (1, 2)) + "$$"),
    ("element-wise left sides", "1.3", BAD, "$$" + "$$\n$$".join(
        rf"z_{{{a},{b},k}} = y_{{{a},{b},k}} + y_{{{a},{b + 1},k}} + y_{{{a + 1},{b},k}} + y_{{{a + 1},{b + 1},k}}"
        for a in (1, 2) for b in (1, 2) if (a, b) != (2, 1)) + "$$"),
]


# An eighth batch: equation numbers typed by hand, Greek function names, a derivative of one's own
# defined first, several element-wise lines on one line, a boxed aligned block.
CASES += [
    ("equation furniture", "1.3", OK, r"$$z_{p_i,p_j,k} = y_{p_i,p_j,k} + y_{p_i,p_j+1,k} + y_{p_i+1,p_j,k} + y_{p_i+1,p_j+1,k} \qquad (2)$$"),
    ("equation furniture", "2.2", OK, r"$$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2}(o_m-y_m)\,o_m(1-o_m)\,w_{p_i,p_j,k,m} \hfill (2.2)$$"),
    ("equation furniture", "2.2", BAD, r"$$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2}(o_m-y_m)\,o_m\,w_{p_i,p_j,k,m} \hfill (2.2)$$"),
    ("own functions", "1.4", OK, r"Let $\phi(t) = (1 + e^{-t})^{-1}$. $$o_m = \phi\Big(\sum_{k}\sum_{p_i}\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,m}\Big)$$"),
    ("own functions", "1.4", BAD, r"Let $\phi(t) = (1 + e^{-t})^{-1}$. $$o_m = \phi\Big(\sum_{k}\sum_{p_i}\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,1}\Big)$$"),
    ("derivations", "2.1", OK, r"$$\frac{\partial E}{\partial o_m} = o_m - y_m$$ $$\frac{\partial E}{\partial w_{p_i,p_j,k,m}} = \frac{\partial E}{\partial o_m}\, o_m (1 - o_m)\, z_{p_i,p_j,k}$$"),
    ("derivations", "2.1", BAD, r"$$\frac{\partial E}{\partial o_m} = o_m - y_m$$ $$\frac{\partial E}{\partial w_{p_i,p_j,k,m}} = \frac{\partial E}{\partial o_m}\, (1 - o_m)\, z_{p_i,p_j,k}$$"),
    ("boxed", "1.3", OK, "$$\\boxed{\\begin{aligned} z_{p_i,p_j,k} &= y_{p_i,p_j,k} + y_{p_i,p_j+1,k} \\\\ &\\quad + y_{p_i+1,p_j,k} + y_{p_i+1,p_j+1,k} \\end{aligned}}$$"),
    ("boxed", "1.3", BAD, "$$\\boxed{\\begin{aligned} z_{p_i,p_j,k} &= y_{p_i,p_j,k} + y_{p_i,p_j+1,k} \\\\ &\\quad + y_{p_i+1,p_j,k} \\end{aligned}}$$"),
    ("element-wise left sides", "1.4", OK, r"$o_1 = \sigma\Big(\sum_{k}\sum_{p_i}\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,1}\Big)$, $o_2 = \sigma\Big(\sum_{k}\sum_{p_i}\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,2}\Big)$"),
    ("element-wise left sides", "1.4", BAD, r"$o_1 = \sigma\Big(\sum_{k}\sum_{p_i}\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,1}\Big)$, $o_2 = \sigma\Big(\sum_{k}\sum_{p_i}\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,1}\Big)$"),
    ("compact indices", "1.2", OK, r"$$y_{ijk} = \sigma\Big(\sum_{a=1}^{2}\sum_{b=1}^{2} x_{i+a-1\, j+b-1}\, w_{abk}\Big)$$"),
    ("sizes table/prose", "1.1", OK, "The convolution output is 3 × 3 × 3, so $c_w = c_h = 3$; pooling gives 2 × 2 × 3, so $p_w = p_h = 2$."),
    ("sums in words", "2.2", OK, "dE/dz_{pi,pj,k} is the sum over m of (o_m - y_m) o_m (1 - o_m) w_{pi,pj,k,m}"),
    ("sums in words", "1.4", OK, "o_m = sigmoid(net_m) where net_m is the sum over pi, pj and k of w[pi,pj,k,m] times z[pi,pj,k]"),
    ("sums in words", "1.4", BAD, "o_m = sigmoid(net_m) where net_m is the sum over pi and k of w[pi,pi,k,m] times z[pi,pi,k]"),
    # a plain "where" between two formulas (was read as a chain o_m = sigmoid(net_m) where net_m = …, the last member counting)
    ("helpers in prose", "1.4", OK, "o_m = sigmoid(net_m) where net_m = sum(sum(sum(w[pi,pj,k,m]*z[pi,pj,k], pi=1..2), pj=1..2), k=1..3)"),
    ("helpers in prose", "1.4", BAD, "o_m = sigmoid(net_m) where net_m = sum(sum(sum(w[pi,pj,k,m]*z[pi,pj,k], pi=1..2), pj=1..1), k=1..3)"),
    ("sizes table/prose", "1.1", OK, "* **c_w** = 3\n* **c_h** = 3\n* **p_w** = 2\n* **p_h** = 2"),
    ("sizes table/prose", "1.1", OK, "| Quantity | Formula | Value |\n|---|---|---|\n| $c_w$ | $(4-2)/1+1$ | 3 |\n| $c_h$ | $(4-2)/1+1$ | 3 |\n| $p_w$ | $3-2+1$ | 2 |\n| $p_h$ | $3-2+1$ | 2 |"),
    ("sizes table/prose", "1.1", BAD, "| Quantity | Formula | Value |\n|---|---|---|\n| $c_w$ | $(4-2)/1+1$ | 3 |\n| $c_h$ | $(4-2)/1+1$ | 2 |\n| $p_w$ | $3-2+1$ | 2 |\n| $p_h$ | $3-2+1$ | 2 |"),
    ("compact indices", "1.2", OK, r"$$y_{ijk} = \sigma\left(\sum_{a,b \in \{1,2\}} w_{abk}\, x_{i+a-1,\,j+b-1}\right)$$"),
    ("compact indices", "1.2", BAD, r"$$y_{ijk} = \sigma\left(\sum_{a,b \in \{1,2\}} w_{bak}\, x_{i+a-1,\,j+b-1}\right)$$"),
    ("equation furniture", "2.1", OK, "$" + W21 + r" = (o_m - y_m) o_m (1 - o_m) z_{p_i,p_j,k} \quad \text{(final answer)}$"),
]


# A third batch (issue: a fresh set of 25 students): channel superscripts, Unicode runs of
# subscripts, sums over explicit index sets, Python generator sums, marks on one's own symbols,
# Kronecker deltas.
CASES += [
    # --- the channel as a superscript: the third index where the quantity takes one more; y^2 a power
    ("channel superscript", "1.3", OK, r"$$z^{k}_{p,q} = y^{k}_{p,q} + y^{k}_{p,q+1} + y^{k}_{p+1,q} + y^{k}_{p+1,q+1}$$"),
    ("channel superscript", "1.3", OK, r"$$z^{(k)}_{ij} = y^{(k)}_{ij} + y^{(k)}_{i,j+1} + y^{(k)}_{i+1,j} + y^{(k)}_{i+1,j+1}$$"),
    ("channel superscript", "1.3", OK, r"$$z_{i,j}^{k} = y_{i,j}^{k} + y_{i,j+1}^{k} + y_{i+1,j}^{k} + y_{i+1,j+1}^{k}$$"),
    ("channel superscript", "1.2", OK, r"$$y^k_{c_i,c_j} = \sigma\left(\sum_{f_i=1}^{2}\sum_{f_j=1}^{2} w^k_{f_i,f_j}\, x_{c_i+f_i-1,c_j+f_j-1}\right)$$"),
    ("channel superscript", "1.4", OK, r"$$o_1 = \sigma\Big(\sum_{k=1}^{3} \sum_{p=1}^{2} \sum_{q=1}^{2} z^{k}_{p,q} \cdot w^{k}_{p,q,o_1}\Big)$$ $$o_2 = \sigma\Big(\sum_{k=1}^{3} \sum_{p=1}^{2} \sum_{q=1}^{2} z^{k}_{p,q} \cdot w^{k}_{p,q,o_2}\Big)$$"),
    ("channel superscript", "2.4", OK, r"$$\frac{\partial E}{\partial w^{k}_{a,b}} = \sum_{i=1}^{3}\sum_{j=1}^{3} \frac{\partial E}{\partial y^{k}_{i,j}}\, (y^{k}_{i,j} - y_{i,j,k}^2)\, x_{i+a-1,j+b-1}$$"),
    ("channel superscript", "2.1", OK, r"$$\frac{\partial E}{\partial w^{(l)}_{p_i,p_j,k,o_m}} = (o_m - y_m) o_m (1 - o_m) z_{p_i,p_j,k}$$"),
    ("channel superscript", "1.3", BAD, r"$$z^{(k)}_{ij} = y^{(k)}_{ij} + y^{(k)}_{i,j+1} + y^{(k)}_{i+1,j} + y^{(k)}_{i,j}$$"),
    ("channel superscript", "1.2", BAD, r"$$y^k_{c_i,c_j} = \sigma\left(\sum_{f_i=1}^{2}\sum_{f_j=1}^{2} w^k_{f_j,f_i}\, x_{c_i+f_i-1,c_j+f_j-1}\right)$$"),
    ("channel superscript", "2.4", BAD, r"$$\frac{\partial E}{\partial w^{k}_{a,b}} = \sum_{i=1}^{3}\sum_{j=1}^{3} \frac{\partial E}{\partial y^{k}_{i,j}}\, (y^{k}_{i,j})^2\, x_{i+a-1,j+b-1}$$"),
    ("channel superscript", "1.4", BAD, r"$$o_1 = \sigma\Big(\sum_{k=1}^{3} \sum_{p=1}^{2} \sum_{q=1}^{2} z^{k}_{p,q} \cdot w^{k}_{p,q,o_1}\Big)$$ $$o_2 = \sigma\Big(\sum_{k=1}^{3} \sum_{p=1}^{2} \sum_{q=1}^{2} z^{k}_{p,q} \cdot w^{k}_{p,q,o_1}\Big)$$"),
    # --- Unicode subscripts run together: one compact group, split by the quantity's index count
    ("unicode runs", "2.3", OK, "∂E/∂y₁₁ₖ, ∂E/∂y₁₂ₖ, ∂E/∂y₂₁ₖ, ∂E/∂y₂₂ₖ += ∂E/∂z₁₁ₖ\n∂E/∂y₁₂ₖ, ∂E/∂y₁₃ₖ, ∂E/∂y₂₂ₖ, ∂E/∂y₂₃ₖ += ∂E/∂z₁₂ₖ\n"
                                "∂E/∂y₂₁ₖ, ∂E/∂y₂₂ₖ, ∂E/∂y₃₁ₖ, ∂E/∂y₃₂ₖ += ∂E/∂z₂₁ₖ\n∂E/∂y₂₂ₖ, ∂E/∂y₂₃ₖ, ∂E/∂y₃₂ₖ, ∂E/∂y₃₃ₖ += ∂E/∂z₂₂ₖ"),
    ("unicode runs", "1.2", OK, "yᵢⱼₖ = σ(x_{i,j} w₁₁ₖ + x_{i,j+1} w₁₂ₖ + x_{i+1,j} w₂₁ₖ + x_{i+1,j+1} w₂₂ₖ)"),
    ("unicode runs", "2.3", BAD, "∂E/∂y₁₁ₖ, ∂E/∂y₁₂ₖ, ∂E/∂y₂₁ₖ, ∂E/∂y₂₂ₖ += ∂E/∂z₁₁ₖ\n∂E/∂y₁₂ₖ, ∂E/∂y₁₃ₖ, ∂E/∂y₂₂ₖ, ∂E/∂y₂₃ₖ += ∂E/∂z₁₂ₖ\n"
                                 "∂E/∂y₂₁ₖ, ∂E/∂y₂₂ₖ, ∂E/∂y₃₁ₖ, ∂E/∂y₃₂ₖ += ∂E/∂z₂₁ₖ\n∂E/∂y₂₂ₖ, ∂E/∂y₂₃ₖ, ∂E/∂y₃₂ₖ, ∂E/∂y₃₃ₖ += ∂E/∂z₁₂ₖ"),
    ("unicode runs", "1.2", BAD, "yᵢⱼₖ = σ(x_{i,j} w₁₁ₖ + x_{i,j+1} w₂₁ₖ + x_{i+1,j} w₁₂ₖ + x_{i+1,j+1} w₂₂ₖ)"),
    # --- Python generator sums (and max), range(), the sigmoid spelled out, **
    ("python generators", "1.2", OK, "y[ci,cj,k] = sigma(sum(x[ci+fi-1,cj+fj-1] * w[fi,fj,k] for fi in (1, 2) for fj in (1, 2)))"),
    ("python generators", "1.2", OK, "y[i,j,k] = 1/(1+exp(-sum(x[i+a,j+b]*w[a+1,b+1,k] for a in range(2) for b in range(2))))"),
    ("python generators", "1.2", OK, "y[i,j,k] = (1 + exp(-sum(x[i+a-1,j+b-1]*w[a,b,k] for a in range(1, 3) for b in range(1, 3))))**(-1)"),
    ("python generators", "1.3", OK, "z[pi,pj,k] = sum(y[a,b,k] for a in (pi, pi+1) for b in (pj, pj+1))"),
    ("python generators", "1.3", OK, "z[pi,pj,k] = sum(y[pi+a,pj+b,k] for (a, b) in [(0,0),(0,1),(1,0),(1,1)])"),
    ("python generators", "2.2", OK, "dE/dz[pi,pj,k] = sum((o[m] - y[m])*o[m]*(1 - o[m])*w[pi,pj,k,m] for m in (1, 2))"),
    ("python generators", "2.4", OK, "dE/dw[fi,fj,k] = sum(dE/dy[ci,cj,k] * y[ci,cj,k] * (1 - y[ci,cj,k]) * x[ci+fi-1,cj+fj-1] for ci in (1, 2, 3) for cj in (1, 2, 3))"),
    ("python generators", "2.5", OK, "dE/dy[ci,cj,k] = sum(dE/dz[pi,pj,k] * 1[y[ci,cj,k] == max(y[a,b,k] for a in (pi, pi+1) for b in (pj, pj+1))] for pi in range(max(1, ci-1), min(2, ci)+1) for pj in range(max(1, cj-1), min(2, cj)+1))"),
    ("python generators", "1.2", BAD, "y[ci,cj,k] = sigma(sum(x[ci+fi-1,cj+fj-1] * w[fj,fi,k] for fi in (1, 2) for fj in (1, 2)))"),
    ("python generators", "1.2", BAD, "y[i,j,k] = 1/(1+exp(sum(x[i+a,j+b]*w[a+1,b+1,k] for a in range(2) for b in range(2))))"),
    ("python generators", "1.2", BAD, "y[i,j,k] = sigma(sum(x[i+a-1,j+b-1]*w[a,b,k] for a in range(1, 3) for b in range(1, 2)))"),
    ("python generators", "1.3", BAD, "z[pi,pj,k] = sum(y[a,b,k] for a in (pi, pi+1) for b in (pj, pj))"),
    ("python generators", "2.2", BAD, "dE/dz[pi,pj,k] = sum((o[m] - y[m])*o[m]*(1 - o[m])*w[pi,pj,k,m] for m in (1,))"),
    ("python generators", "2.5", BAD, "dE/dy[ci,cj,k] = sum(dE/dz[pi,pj,k] * 1[y[ci,cj,k] == max(y[a,b,k] for a in (pi, pi+1) for b in (pj, pj))] for pi in range(max(1, ci-1), min(2, ci)+1) for pj in range(max(1, cj-1), min(2, cj)+1))"),
    ("python generators", "1.3", BAD, "z[pi,pj,k] = sum(y[pi+a,pj+b,k] for a in range(0, 2, 1) for b in range(2))"),  # a step: refused
    # --- sums over sets written out: powers, pairs, products, several binds
    ("index sets", "1.2", OK, r"$$y_{i,j,k} = \sigma\Big(\sum_{(a,b) \in \{0,1\}^2} w_{a+1,b+1,k}\, x_{i+a,j+b}\Big)$$"),
    ("index sets", "1.4", OK, r"$$o_m = \sigma\Big(\sum_{k \in \{1,2,3\}} \sum_{(p,q) \in \{1,2\}^{2}} z_{p,q,k}\, w_{p,q,k,o_m}\Big)$$"),
    ("index sets", "1.3", OK, r"$$z_{p_i,p_j,k} = \sum_{(a,b)\in\{(0,0),(0,1),(1,0),(1,1)\}} y_{p_i+a,p_j+b,k}$$"),
    ("index sets", "1.3", OK, r"$$z_{p_i,p_j,k} = \sum_{(a,b) \in \{p_i,p_i+1\} \times \{p_j,p_j+1\}} y_{a,b,k}$$"),
    ("index sets", "1.3", OK, r"$$z_{p_i,p_j,k} = \sum_{a \in \{p_i, p_i+1\},\, b \in \{p_j, p_j+1\}} y_{a,b,k}$$"),
    ("index sets", "2.4", OK, r"$$\frac{\partial E}{\partial w_{f_i,f_j,k}} = \sum_{(i,j) \in \{1,2,3\}^2} \frac{\partial E}{\partial y_{i,j,k}}\, y_{i,j,k}(1-y_{i,j,k})\, x_{i+f_i-1,j+f_j-1}$$"),
    ("index sets", "1.2", BAD, r"$$y_{i,j,k} = \sigma\Big(\sum_{(a,b) \in \{0,1\}^2} w_{b+1,a+1,k}\, x_{i+a,j+b}\Big)$$"),
    ("index sets", "1.3", BAD, r"$$z_{p_i,p_j,k} = \sum_{(a,b)\in\{(0,0),(0,1),(1,0),(1,0)\}} y_{p_i+a,p_j+b,k}$$"),
    ("index sets", "1.3", BAD, r"$$z_{p_i,p_j,k} = \sum_{(a,b) \in \{p_i,p_i+1\} \times \{p_j,p_j\}} y_{a,b,k}$$"),
    ("index sets", "1.3", BAD, r"$$z_{p_i,p_j,k} = \sum_{a, b \in \{p_j, p_j+1\}} y_{a,b,k}$$"),
    ("index sets", "2.4", BAD, r"$$\frac{\partial E}{\partial w_{f_i,f_j,k}} = \sum_{(i,j) \in \{1,2\}^2} \frac{\partial E}{\partial y_{i,j,k}}\, y_{i,j,k}(1-y_{i,j,k})\, x_{i+f_i-1,j+f_j-1}$$"),
    # --- marks on one's own symbols: \hat, \tilde, \bar, \overline, primes; used before defined is unknown
    ("marked own symbols", "2.1", OK, r"$$\hat{\delta}_{m} = (o_m - y_m) o_m (1 - o_m)$$ $$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = \hat{\delta}_{m} z_{p_i,p_j,k}$$"),
    ("marked own symbols", "2.2", OK, r"$$\tilde\delta_m = (o_m - y_m) o_m (1 - o_m)$$ $$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} \tilde\delta_m w_{p_i,p_j,k,m}$$"),
    ("marked own symbols", "2.2", OK, r"$$\bar{e}_m = (o_m - y_m) o_m (1 - o_m)$$ $$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} \bar{e}_m w_{p_i,p_j,k,m}$$"),
    ("marked own symbols", "2.2", OK, r"$$o_{1}' = (o_1 - y_1) \cdot o_1(1 - o_1)$$ $$o_{2}' = (o_2 - y_2) \cdot o_2(1 - o_2)$$ $$\frac{\partial E}{\partial z_{p_i,p_j,k}} = o_{1}' \cdot w_{p_i,p_j,k,o_1} + o_{2}' \cdot w_{p_i,p_j,k,o_2}$$"),
    ("marked own symbols", "2.2", OK, r"$$\delta'_m = (o_m - y_m) o_m (1 - o_m)$$ $$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} \delta'_m w_{p_i,p_j,k,m}$$"),
    ("marked own symbols", "2.1", BAD, r"$$\hat{\delta}_{m} = (o_m - y_m) o_m (1 - o_m)$$ $$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = \hat{\delta}_{m} z_{p_j,p_i,k}$$"),
    ("marked own symbols", "2.1", BAD, r"$$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = \hat{\delta}_{m} z_{p_i,p_j,k}$$"),  # never defined
    ("marked own symbols", "2.2", BAD, r"$$\overline{g}_m = (o_m - y_m) (1 - o_m)$$ $$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} \overline{g}_m w_{p_i,p_j,k,m}$$"),
    ("marked own symbols", "2.2", BAD, r"$$o_m' = (o_m - y_m) o_m (1 - o_m)$$ $$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} o_m w_{p_i,p_j,k,m}$$"),
    ("marked own symbols", "2.2", BAD, r"$$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} o_m' w_{p_i,p_j,k,m}$$"),  # o_m' is not a derivative
    # --- Kronecker's delta where the answer has no delta of its own
    ("kronecker delta", "2.3", OK, r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2} \sum_{p_j=1}^{2} \frac{\partial E}{\partial z_{p_i,p_j,k}} \left( \delta_{c_i,p_i} + \delta_{c_i,p_i+1} \right) \left( \delta_{c_j,p_j} + \delta_{c_j,p_j+1} \right)$$"),
    ("kronecker delta", "2.3", OK, "dE/dy[ci,cj,k] = sum(sum(dE/dz[pi,pj,k] * (δ_{ci,pi} + δ_{ci,pi+1}) * (δ_{cj,pj} + δ_{cj,pj+1}), pi=1..2), pj=1..2)"),
    ("kronecker delta", "2.3", BAD, r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2} \sum_{p_j=1}^{2} \frac{\partial E}{\partial z_{p_i,p_j,k}} \left( \delta_{c_i,p_i} + \delta_{c_i,p_i+1} \right) \left( \delta_{c_j,p_j} + \delta_{c_i,p_j+1} \right)$$"),
    ("kronecker delta", "2.3", BAD, r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2} \sum_{p_j=1}^{2} \frac{\partial E}{\partial z_{p_i,p_j,k}} \, δ_{c_i p_i} δ_{c_j p_j}$$"),
    # a delta of one's own is that, never Kronecker's: with δ_{a,b} = 2 the same sum is wrong
    ("kronecker delta", "2.3", BAD, r"$$\delta_{a,b} = 2$$ $$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2} \sum_{p_j=1}^{2} \frac{\partial E}{\partial z_{p_i,p_j,k}} \left( \delta_{c_i,p_i} + \delta_{c_i,p_i+1} \right) \left( \delta_{c_j,p_j} + \delta_{c_j,p_j+1} \right)$$"),
    ("kronecker delta", "2.3", BAD, r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2} \sum_{p_j=1}^{2} \frac{\partial E}{\partial z_{p_i,p_j,k}} \left( \delta_{c_i,p_i} + \delta_{c_i,p_i+1} \right) \left( \delta_{c_j,p_j} + \delta_{c_j,p_j+1} \right)$$ where $\delta_m = o_m$"),
    # --- more of the same categories: list comprehensions, product(), if-clauses, math./np., (a == b) as 1/0
    ("python generators", "1.3", OK, "z[pi,pj,k] = sum([y[pi+a,pj+b,k] for a in range(2) for b in range(2)])"),
    ("python generators", "1.3", OK, "z[pi,pj,k] = sum(y[pi+a,pj+b,k] for a, b in product(range(2), range(2)))"),
    ("python generators", "1.2", OK, "y[i,j,k] = 1/(1 + math.exp(-sum(x[i+a,j+b]*w[a+1,b+1,k] for a in range(2) for b in range(2))))"),
    ("python generators", "2.5", OK, "dE/dy[ci,cj,k] = sum(dE/dz[pi,pj,k] * 1[y[ci,cj,k] == max(y[pi,pj,k], y[pi,pj+1,k], y[pi+1,pj,k], y[pi+1,pj+1,k])] for pi in range(1, 3) for pj in range(1, 3) if pi <= ci <= pi + 1 and pj <= cj <= pj + 1)"),
    ("python generators", "2.5", OK, "dE/dy[ci,cj,k] = sum(dE/dz[pi,pj,k] * (y[ci,cj,k] == max([y[a,b,k] for a in (pi, pi+1) for b in (pj, pj+1)])) * (pi <= ci <= pi+1) * (pj <= cj <= pj+1) for pi in (1, 2) for pj in (1, 2))"),
    ("python generators", "1.3", BAD, "z[pi,pj,k] = sum([y[pi+a,pj+b,k] for a in range(2) for b in range(1)])"),
    ("python generators", "1.3", BAD, "z[pi,pj,k] = sum(y[pi+a,pj+b,k] for a, b in product(range(2), range(1)))"),
    ("python generators", "1.2", OK, "y[i,j,k] = sigma(sum(x[i+a,j+b]*w[a+1,b+1,k] for a, b in itertools.product(range(2), repeat=2)))"),
    ("python generators", "1.2", BAD, "y[i,j,k] = sigma(sum(x[i+a,j+b]*w[b+1,a+1,k] for a, b in itertools.product(range(2), repeat=2)))"),
    ("python generators", "1.4", OK, "o[m] = sigmoid(sum(z[p,q,k] * w[p,q,k,m] for p in range(1, 3) for q in range(1, 3) for k in range(1, 4)))"),
    ("python generators", "1.4", BAD, "o[m] = sigmoid(sum(z[p,q,k] * w[p,q,k,m] for p in range(1, 3) for q in range(1, 3) for k in range(1, 3)))"),
    ("python generators", "2.1", OK, "```python\ndE/dw[pi,pj,k,m] = (o[m] - y[m]) * o[m] * (1 - o[m]) * z[pi,pj,k]  # chain rule\n```"),
    ("python generators", "2.1", BAD, "```python\ndE/dw[pi,pj,k,m] = (o[m] - y[m]) * (1 - o[m]) * z[pi,pj,k]  # chain rule\n```"),
    ("python generators", "1.2", OK, "y[ci,cj,k] = sigmoid(sum(x[ci+fi-1, cj+fj-1] * w[fi, fj, k] for fi, fj in [(1,1),(1,2),(2,1),(2,2)]))"),
    ("python generators", "1.2", BAD, "y[ci,cj,k] = sigmoid(sum(x[ci+fi-1, cj+fj-1] * w[fi, fj, k] for fi, fj in [(1,1),(1,2),(2,1),(2,1)]))"),
    ("python generators", "2.5", BAD, "dE/dy[ci,cj,k] = sum(dE/dz[pi,pj,k] * 1[y[ci,cj,k] == max(y[pi,pj,k], y[pi,pj+1,k], y[pi+1,pj,k], y[pi+1,pj+1,k])] for pi in range(1, 3) for pj in range(1, 3) if pi <= ci < pi + 1 and pj <= cj <= pj + 1)"),
    ("python generators", "2.5", BAD, "dE/dy[ci,cj,k] = sum(dE/dz[pi,pj,k] * (y[ci,cj,k] == max([y[pi,pj,k], y[pi,pj+1,k], y[pi+1,pj,k], y[pi+1,pj,k]])) for pi in range(max(1, ci-1), min(2, ci)+1) for pj in range(max(1, cj-1), min(2, cj)+1))"),
    # --- \sum_{i,j=1}^{3}, \max_{a,b \in S}
    ("index sets", "2.4", OK, r"$$\frac{\partial E}{\partial w_{a,b,k}} = \sum_{i,j=1}^{3} \frac{\partial E}{\partial y_{i,j,k}} y_{i,j,k}(1-y_{i,j,k}) x_{i+a-1,j+b-1}$$"),
    ("index sets", "2.5", OK, r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2}\sum_{p_j=1}^{2} \frac{\partial E}{\partial z_{p_i,p_j,k}} \mathbb{1}[y_{c_i,c_j,k} = \max_{a,b \in \{0,1\}} y_{p_i+a,p_j+b,k}]\, \mathbb{1}[p_i \le c_i \le p_i+1]\, \mathbb{1}[p_j \le c_j \le p_j+1]$$"),
    ("index sets", "2.4", BAD, r"$$\frac{\partial E}{\partial w_{a,b,k}} = \sum_{i,j=1}^{2} \frac{\partial E}{\partial y_{i,j,k}} y_{i,j,k}(1-y_{i,j,k}) x_{i+a-1,j+b-1}$$"),
    ("index sets", "2.5", BAD, r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2}\sum_{p_j=1}^{2} \frac{\partial E}{\partial z_{p_i,p_j,k}} \mathbb{1}[y_{c_i,c_j,k} = \max_{a,b \in \{0,1\}} y_{p_i+a,p_j+a,k}]\, \mathbb{1}[p_i \le c_i \le p_i+1]\, \mathbb{1}[p_j \le c_j \le p_j+1]$$"),
    ("index sets", "2.3", OK, r"$$\frac{\partial E}{\partial y_{i,j,k}} = \sum_{p \in \{i-1,i\} \cap \{1,2\}} \sum_{q \in \{j-1,j\} \cap \{1,2\}} \frac{\partial E}{\partial z_{p,q,k}}$$"),
    ("index sets", "2.5", OK, r"$$\frac{\partial E}{\partial y_{i,j,k}} = \sum_{p \in \{i-1,i\} \cap \{1,2\}, q \in \{j-1,j\} \cap \{1,2\}} \frac{\partial E}{\partial z_{p,q,k}} \mathbb{1}[y_{i,j,k} = \max_{a \in \{p,p+1\}, b \in \{q,q+1\}} y_{a,b,k}]$$"),
    ("index sets", "2.3", BAD, r"$$\frac{\partial E}{\partial y_{i,j,k}} = \sum_{p \in \{i-1,i\} \cap \{1,2\}} \sum_{q \in \{j,j+1\} \cap \{1,2\}} \frac{\partial E}{\partial z_{p,q,k}}$$"),
    # --- \substack, ranges written as bounds (0 \le a, b \le 1; < strict), [n] for {1..n}, several binds after a, b \in S
    ("index sets", "1.3", OK, r"$$z_{p_i,p_j,k} = \sum_{\substack{a \in \{0,1\} \\ b \in \{0,1\}}} y_{p_i+a,p_j+b,k}$$"),
    ("index sets", "1.3", OK, r"$$z_{p_i,p_j,k} = \sum_{\substack{0 \le a \le 1 \\ 0 \le b \le 1}} y_{p_i+a,p_j+b,k}$$"),
    ("index sets", "1.3", OK, r"$$z_{p,q,k} = \sum_{p \le a \le p+1,\, q \le b \le q+1} y_{a,b,k}$$"),
    ("index sets", "1.2", OK, r"$$y_{i,j,k} = \sigma\Big(\sum_{1 \le a,b \le 2} w_{a,b,k}\, x_{i+a-1,j+b-1}\Big)$$"),
    ("index sets", "1.2", OK, r"$$y_{i,j,k} = \sigma\Big(\sum_{(a,b) \in [2]^2} w_{a,b,k}\, x_{i+a-1,j+b-1}\Big)$$"),
    ("index sets", "1.4", OK, r"$$o_m = \sigma\Big(\sum_{p,q \in \{1,2\},\, k \in \{1,2,3\}} z_{p,q,k}\, w_{p,q,k,m}\Big)$$"),
    ("index sets", "2.5", OK, r"$$\frac{\partial E}{\partial y_{i,j,k}} = \sum_{p=1}^{2}\sum_{q=1}^{2} \frac{\partial E}{\partial z_{p,q,k}} \mathbb{1}[y_{i,j,k} = \max_{p \le a \le p+1,\ q \le b \le q+1} y_{a,b,k}]$$"),
    ("index sets", "1.3", BAD, r"$$z_{p_i,p_j,k} = \sum_{0 \le a, b < 1} y_{p_i+a,p_j+b,k}$$"),
    ("index sets", "1.3", BAD, r"$$z_{p,q,k} = \sum_{p \le a \le p+1,\, q \le b \le q} y_{a,b,k}$$"),
    ("index sets", "1.2", BAD, r"$$y_{i,j,k} = \sigma\Big(\sum_{(a,b) \in [2]^2} w_{b,a,k}\, x_{i+a-1,j+b-1}\Big)$$"),
    ("index sets", "1.4", BAD, r"$$o_m = \sigma\Big(\sum_{p,q \in \{1,2\},\, k \in \{1,2\}} z_{p,q,k}\, w_{p,q,k,m}\Big)$$"),
    # --- superscripts after compact subscripts; Kronecker with the two indices together; Unicode + in subscripts
    ("channel superscript", "2.4", OK, r"$$\frac{\partial E}{\partial w_{ab}^{k}} = \sum_{i,j=1}^{3} \frac{\partial E}{\partial y_{ij}^{k}} y_{ij}^{k}(1-y_{ij}^{k}) x_{i+a-1,j+b-1}$$"),
    ("channel superscript", "1.3", OK, r"$$z_{ij}^{(k)} = y_{ij}^{(k)} + y_{i,j+1}^{(k)} + y_{i+1,j}^{(k)} + y_{i+1,j+1}^{(k)}$$"),
    ("channel superscript", "2.4", BAD, r"$$\frac{\partial E}{\partial w_{ab}^{k}} = \sum_{i,j=1}^{3} \frac{\partial E}{\partial y_{ij}^{k}} (y_{ij}^{k})^2 x_{i+a-1,j+b-1}$$"),
    ("channel superscript", "1.3", BAD, r"$$z_{ij}^{(k)} = y_{ij}^{(k)} + y_{i,j+1}^{(k)} + y_{i+1,j}^{(k)} + y_{i+1,j}^{(k)}$$"),
    ("kronecker delta", "2.3", OK, r"$$\frac{\partial E}{\partial y_{ijk}} = \sum_{p=1}^{2}\sum_{q=1}^{2} \frac{\partial E}{\partial z_{pqk}} (\delta_{ip} + \delta_{i,p+1})(\delta_{jq} + \delta_{j,q+1})$$"),
    ("kronecker delta", "2.3", BAD, r"$$\frac{\partial E}{\partial y_{ijk}} = \sum_{p=1}^{2}\sum_{q=1}^{2} \frac{\partial E}{\partial z_{pqk}} (\delta_{ip} + \delta_{i,p+1})(\delta_{jq} + \delta_{jq})$$"),
    ("unicode runs", "1.2", OK, "yᵢⱼₖ = σ(x_{i,j} w₁₁ₖ + x_{i,j₊₁} w₁₂ₖ + x_{i+1,j} w₂₁ₖ + x_{i₊₁,j₊₁} w₂₂ₖ)"),
    ("unicode runs", "1.3", OK, "zᵢⱼₖ = yᵢⱼₖ + yᵢ,ⱼ₊₁,ₖ + yᵢ₊₁,ⱼ,ₖ + yᵢ₊₁,ⱼ₊₁,ₖ"),
    ("unicode runs", "1.2", BAD, "yᵢⱼₖ = σ(x_{i,j} w₁₁ₖ + x_{i,j₊₁} w₁₂ₖ + x_{i+1,j} w₂₁ₖ + x_{i₊₁,j} w₂₂ₖ)"),
    ("unicode runs", "1.3", BAD, "zᵢⱼₖ = yᵢⱼₖ + yᵢ,ⱼ₊₁,ₖ + yᵢ₊₁,ⱼ,ₖ + yᵢ₊₁,ⱼ,ₖ"),
    ("unicode runs", "1.3", OK, "zᵏᵢⱼ = yᵏᵢⱼ + yᵏᵢ,ⱼ₊₁ + yᵏᵢ₊₁,ⱼ + yᵏᵢ₊₁,ⱼ₊₁"),
    ("unicode runs", "1.3", OK, "z⁽ᵏ⁾ᵢⱼ = y⁽ᵏ⁾ᵢⱼ + y⁽ᵏ⁾ᵢ,ⱼ₊₁ + y⁽ᵏ⁾ᵢ₊₁,ⱼ + y⁽ᵏ⁾ᵢ₊₁,ⱼ₊₁"),
    ("unicode runs", "2.2", OK, "∂E/∂zᵏᵢⱼ = Σₘ (oₘ − yₘ) oₘ (1 − oₘ) wᵏᵢⱼₘ"),
    ("unicode runs", "1.3", BAD, "zᵏᵢⱼ = yᵏᵢⱼ + yᵏᵢ,ⱼ₊₁ + yᵏᵢ₊₁,ⱼ + yᵏᵢ₊₁,ⱼ"),
    ("unicode runs", "2.1", BAD, "∂E/∂wᵢⱼₖₘ = (oₘ − yₘ)² oₘ (1 − oₘ) zᵢⱼₖ"),
    # --- a superscript on a symbol of one's own: a label (δ^{out}_m) or an index (δ^k_{i,j}); [k] as (k)
    ("marked own symbols", "2.2", OK, r"$$\delta^{out}_m = (o_m - y_m) o_m (1 - o_m)$$ $$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} \delta^{out}_m w_{p_i,p_j,k,m}$$"),
    ("marked own symbols", "2.4", OK, r"$$\delta^k_{i,j} = \frac{\partial E}{\partial y_{i,j,k}} y_{i,j,k}(1 - y_{i,j,k})$$ $$\frac{\partial E}{\partial w_{a,b,k}} = \sum_{i=1}^{3}\sum_{j=1}^{3} \delta^k_{i,j} x_{i+a-1,j+b-1}$$"),
    ("marked own symbols", "2.2", BAD, r"$$\delta^{out}_m = (o_m - y_m) o_m$$ $$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} \delta^{out}_m w_{p_i,p_j,k,m}$$"),
    ("marked own symbols", "2.4", BAD, r"$$\delta^k_{i,j} = \frac{\partial E}{\partial y_{i,j,k}} y_{i,j,k}(1 - y_{i,j,k})$$ $$\frac{\partial E}{\partial w_{a,b,k}} = \sum_{i=1}^{3}\sum_{j=1}^{3} \delta^k_{j,i} x_{i+a-1,j+b-1}$$"),
    ("channel superscript", "1.3", OK, r"$$z_{i,j}^{[k]} = y_{i,j}^{[k]} + y_{i,j+1}^{[k]} + y_{i+1,j}^{[k]} + y_{i+1,j+1}^{[k]}$$"),
    ("channel superscript", "1.3", BAD, r"$$z_{i,j}^{[k]} = y_{i,j}^{[k]} + y_{i,j+1}^{[k]} + y_{i+1,j}^{[k]} + y_{i,j+1}^{[k]}$$"),
    ("channel superscript", "1.3", OK, "z^k[p,q] = y^k[p,q] + y^k[p,q+1] + y^k[p+1,q] + y^k[p+1,q+1]"),
    ("channel superscript", "1.3", BAD, "z^k[p,q] = y^k[p,q] + y^k[p,q+1] + y^k[p+1,q] + y^k[p+1,q]"),
    ("channel superscript", "2.3", OK, r"$$\frac{\partial E}{\partial y^{k}_{i,j}} \mathrel{+}= \frac{\partial E}{\partial z^{k}_{p,q}} \quad \text{for } p \le i \le p+1,\ q \le j \le q+1,\ p,q = 1,2$$"),
    ("quantifiers", "2.3", OK, r"$$\frac{\partial E}{\partial y_{i,j,k}} \mathrel{+}= \frac{\partial E}{\partial z_{p,q,k}} \quad \text{for } p \le i \le p+1,\ q \le j \le q+1,\ p,q = 1,2$$"),
    ("quantifiers", "2.3", BAD, r"$$\frac{\partial E}{\partial y_{i,j,k}} \mathrel{+}= \frac{\partial E}{\partial z_{p,q,k}} \quad \text{for } p \le i \le p+1,\ q \le j \le q,\ p,q = 1,2$$"),
    # a remark after a comma and spacing (", \quad \text{for each window}") is dropped with the spacing
    ("markdown/prose", "1.3", OK, r"$$z_{p,q,k} = y_{p,q,k} + y_{p,q+1,k} + y_{p+1,q,k} + y_{p+1,q+1,k}, \quad \text{for each window}$$"),
    ("markdown/prose", "1.3", OK, r"$$z_{p,q,k} = y_{p,q,k} + y_{p,q+1,k} + y_{p+1,q,k} + y_{p+1,q+1,k}, \qquad \text{(sum pooling)}$$"),
    ("markdown/prose", "1.3", BAD, r"$$z_{p,q,k} = y_{p,q,k} + y_{p,q+1,k} + y_{p+1,q,k} + y_{p+1,q,k}, \quad \text{for each window}$$"),
]

# --- a remark after the formula (i.e./e.g./namely, "for each …" without values, a parenthesis, a
# new sentence): dropped when nothing in it could change the value; a wrong formula with the same
# remark still fails; the remark with a modifier (or values, or an example instance) is refused
Z13R = "z_{p_i,p_j,k} = y_{p_i,p_j,k} + y_{p_i,p_j+1,k} + y_{p_i+1,p_j,k} + y_{p_i+1,p_j+1,k}"
W13R = "z_{p_i,p_j,k} = y_{p_i,p_j,k} + y_{p_i,p_j+1,k} + y_{p_i+1,p_j,k} + y_{p_i,p_j+1,k}"
REMARKS = [", i.e. the sum over the 2x2 window", ", for each of the three channels", ", for every window (p_i, p_j)",
           ", for all valid p_i, p_j, k", ", for the k-th channel", ". This is the sum over one window.",
           " (sum pooling, stride 1)", ", i.e. no averaging", ", viz. the window's sum", ", namely the pooled value",
           ", for each of the 3 channels", " (i.e. the 2x2 window sum)", ", for the p_i-th row and p_j-th column",
           r" \text{, i.e. the sum over the window}", r" \text{ for every window } (p_i, p_j)", r" \text{. This is the sum over one window.}",
           ", i.e. the window's sum (no averaging)"]
CASES += [("remark after formula", "1.3", OK, form % (Z13R + r)) for r in REMARKS for form in ("$$%s$$", "%s")]
CASES += [("remark after formula", "1.3", BAD, form % (W13R + r)) for r in REMARKS for form in ("$$%s$$", "%s")]
CASES += [("remark after formula", "1.3", BAD, "$$" + Z13R + r + "$$") for r in (
    ", i.e. squared", ", for each window, squared", ". This is then squared.", " (first channel only)",
    ", e.g. z_{1,1,k} = y_{1,1,k} + y_{1,2,k} + y_{2,1,k} + y_{2,2,k}", ", e.g. z_{1,1,1} = 0",
    ", for all k in 1, 2", ", for the first channel", ", i.e. over 1.5", " (for k in 1 and 2)", ". Then divide by 4.",
    r" \text{, i.e. the sum, squared}", r" \text{, e.g. } z_{1,1,k} = 0", r" \forall k \text{ but the last}")]
# an example after "e.g." is never read as the answer: a wrong general formula with a right example fails
CASES += [("remark after formula", "1.3", BAD, W13R + ", e.g. z_{1,1,k} = y_{1,1,k} + y_{1,2,k} + y_{2,1,k} + y_{2,2,k}")]

# --- four held-out forms: a sum with its ranges in words, a definition named in words before its
# symbol, equations in a table's cells, a left side with a shifted index (w_{u+1,v+1,k})
O14_WORDS = "o1 = sigmoid( sum over k=1..3, pi=1..2, pj=1..2 of z[pi][pj][k] * w[pi][pj][k][o1] )\n" \
            "o2 = sigmoid( sum over k=1..3, pi=1..2, pj=1..2 of z[pi][pj][k] * w[pi][pj][k][o2] )"
H12 = "sum(sum(x[ci+fi-1,cj+fj-1] * w[fi,fj,k], fj=1..2), fi=1..2)"
W24 = (r"$$\frac{\partial E}{\partial w_{u+1,v+1,k}} = \sum_{c_i=1}^{3}\sum_{c_j=1}^{3} \Big(\frac{\partial E}"
       r"{\partial y_{c_i,c_j,k}}\; y_{c_i,c_j,k}(1-y_{c_i,c_j,k})\; x_{c_i+u,c_j+v}\Big)$$")
TABLE11 = "| layer | width | height |\n|---|---|---|\n| input | 4 | 4 |\n| convolution | c_w = 3 | c_h = 3 |\n| sum pooling | p_w = 2 | p_h = %d |\n"
CASES += [
    ("worded sum", "1.4", OK, O14_WORDS),
    ("worded sum", "1.3", OK, "z[pi,pj,k] = sum over a=0..1, b=0..1 of y[pi+a,pj+b,k]"),
    ("worded sum", "1.4", BAD, O14_WORDS.replace("pj=1..2 of z[pi][pj][k] * w[pi][pj][k][o1]", "pj=1..1 of z[pi][pj][k] * w[pi][pj][k][o1]")),
    ("worded sum", "1.4", BAD, O14_WORDS.replace("w[pi][pj][k][o1] )", "w[pi][pj][k][o1] + 1 )")),  # (the summand: one product)
    ("worded sum", "1.3", BAD, "z[pi,pj,k] = sum over a=0..1, b=0..1 of y[pi+a,pj+a,k]"),
    ("named in words", "1.2", OK, f"Define the pre-activation h[ci,cj,k] = {H12}. Then\n\ny[ci,cj,k] = 1/(1 + exp(-h[ci,cj,k]))"),
    ("named in words", "1.2", OK, f"Let the net input h[ci,cj,k] = {H12}.\n\ny[ci,cj,k] = sigmoid(h[ci,cj,k])"),
    ("named in words", "1.2", BAD, f"Define the pre-activation h[ci,cj,k] = {H12.replace('fi=1..2', 'fi=1..1')}. Then\n\ny[ci,cj,k] = 1/(1 + exp(-h[ci,cj,k]))"),
    ("named in words", "1.2", BAD, f"Let the doubled net input h[ci,cj,k] = {H12}.\n\ny[ci,cj,k] = sigmoid(h[ci,cj,k])"),
    ("table cells", "1.1", OK, TABLE11 % 2),
    ("table cells", "1.1", BAD, TABLE11 % 3),
    ("table cells", "1.1", BAD, (TABLE11 % 2).replace("| sum pooling |", "| sum pooling, minus one |")),
    ("shifted left index", "2.4", OK, W24),
    ("shifted left index", "2.4", OK, W24.replace("w_{u+1,v+1,k}", "w_{1+u,v+1,k}")),
    ("shifted left index", "2.4", OK, W24.replace("w_{u+1,v+1,k}", "w_{u,v,k}").replace("c_i+u,c_j+v", "c_i+u-1,c_j+v-1")),
    ("shifted left index", "2.4", BAD, W24.replace("x_{c_i+u,c_j+v}", "x_{c_i+u,c_j+u}")),
    ("shifted left index", "2.4", BAD, W24.replace("w_{u+1,v+1,k}", "w_{u+1,v,k}")),
    ("shifted left index", "2.4", BAD, W24.replace("w_{u+1,v+1,k}", "w_{u+2,v+1,k}")),
]

O14_NESTED = "for m=1..2: o[m] = sigma(sum(sum(sum(w[pi,pj,k,o[m]]*z[pi,pj,k], pj=1..2), pi=1..2), k=1..3))"
DZ_NESTED = "dE/dz[pi,pj,k] = sum((o[m] - y[m]) o[m] (1 - o[m]) w[pi,pj,k,o[m]], m=1..2)"
CASES += [  # the output's index written as the output itself, nested in the weight's indices
    ("nested output index", "1.4", OK, O14_NESTED),
    ("nested output index", "1.4", OK, O14_NESTED.replace("w[pi,pj,k,o[m]]", "w[pi,pj,k,o(m)]")),
    ("nested output index", "1.4", OK, "o[1] = sigma(sum(sum(sum(w[pi,pj,k,o[1]]*z[pi,pj,k], pj=1..2), pi=1..2), k=1..3))\n"
                                      "o[2] = sigma(sum(sum(sum(w[pi,pj,k,o[2]]*z[pi,pj,k], pj=1..2), pi=1..2), k=1..3))"),
    ("nested output index", "2.1", OK, "for m=1..2: dE/dw[pi,pj,k,o[m]] = (o[m] - y[m]) * o[m]*(1 - o[m]) * z[pi,pj,k]"),
    ("nested output index", "2.1", OK, r"$$\frac{\partial E}{\partial w_{p_i,p_j,k,o_{m}}} = (o_m - y_m)\, o_m (1-o_m)\, z_{p_i,p_j,k}$$"),
    ("nested output index", "2.2", OK, DZ_NESTED),
    ("nested output index", "1.4", BAD, O14_NESTED.replace("w[pi,pj,k,o[m]]", "w[pi,pj,k,o[1]]")),
    ("nested output index", "2.1", BAD, "for m=1..2: dE/dw[pi,pj,k,o[m]] = (y[m] - o[m]) * o[m]*(1 - o[m]) * z[pi,pj,k]"),
    ("nested output index", "2.2", BAD, DZ_NESTED.replace("w[pi,pj,k,o[m]]", "w[pi,pj,k,o[2]]")),
]

CASES += [  # a number and, in parentheses, how it was computed: a remark where the two are equal
    ("number remark", "1.1", OK, "c_w = c_h = 3 (4−2+1)\np_w = p_h = 2 (3−2+1)"),
    ("number remark", "1.1", OK, r"$c_w = c_h = 3\ (4 - 2 + 1)$, $p_w = p_h = 2\ ((3-2)/1 + 1)$"),
    ("number remark", "1.1", BAD, "c_w = c_h = 3 (4−2)\np_w = p_h = 2 (3−2+1)"),  # 3 ≠ 4−2: refused, not 6
    ("number remark", "1.1", BAD, "c_w = c_h = 4 (4−2+2)\np_w = p_h = 2 (3−2+1)"),  # equal, but c_w is 3
    ("number remark", "2.1", OK, "dE/dw[pi,pj,k,o[m]] = 2 (o[m] - y[m]) o[m] (1 - o[m]) z[pi,pj,k] / 2"),  # a product
]

D21 = r"$$\delta_m = (o_m - y_m) o_m (1 - o_m) \qquad \frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = \delta_m z_{p_i,p_j,k}$$"
CASES += [  # several definitions on one line, parted only by spacing
    ("spaced definitions", "1.1", OK, r"$$c_w = c_h = 3 \qquad p_w = p_h = 2$$"),
    ("spaced definitions", "1.1", OK, r"$$c_w = 3 \quad c_h = 3 \;\; p_w = 2 \quad p_h = 2$$"),
    ("spaced definitions", "1.1", OK, "c_w = c_h = 3    p_w = p_h = 2"),
    ("spaced definitions", "2.1", OK, D21),
    ("spaced definitions", "1.1", BAD, r"$$c_w = c_h = 3 \qquad p_w = p_h = 3$$"),
    ("spaced definitions", "1.1", BAD, "c_w = c_h = 3    p_w = 2    p_h = 1"),
    ("spaced definitions", "2.1", BAD, D21.replace(r"o_m (1 - o_m) \qquad", r"o_m \qquad")),
    ("spaced definitions", "1.4", OK, r"$$o_m = \sigma\Big(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_i,p_j,k,m}\Big) \quad \text{for all } m$$"),
    ("spaced definitions", "1.3", OK, "z[pi,pj,k] = y[pi,pj,k] + y[pi,pj+1,k]  + y[pi+1,pj,k]  + y[pi+1,pj+1,k]"),
]

O14_V = r"$$o_m = \sigma\left(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} v_{p_i,p_j,k,m}\, z_{p_i,p_j,k}\right)$$"
CASES += [  # the fully connected weight under the starter's name v (the assignment's alias)
    ("starter's name v", "1.4", OK, O14_V),
    ("starter's name v", "2.2", OK, r"$$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} (o_m - y_m)\, o_m(1-o_m)\, v_{p_i,p_j,k,m}$$"),
    ("starter's name v", "1.4", BAD, O14_V.replace("v_{p_i,p_j,k,m}", "v_{p_j,p_i,k,m}")),
    # an answer with a v of its own means that one
    ("starter's name v", "1.4", BAD, "$$v_{p_i,p_j,k,m} = 2 w_{p_i,p_j,k,m}$$\n" + O14_V),
]

@pytest.mark.parametrize("category, qid, expect, text", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_sweep(category, qid, expect, text):
    got = verdict(qid, text)
    if expect == OK:
        assert got == "passed", got
    else:
        assert got != "passed"


def main() -> None:
    """Per category: correct accepted, wrong rejected (and what failed)."""
    from collections import defaultdict
    tally: dict = defaultdict(lambda: [0, 0, 0, 0])
    for category, qid, expect, text in CASES:
        got = verdict(qid, text)
        row = tally[category]
        if expect == OK:
            row[0] += got == "passed"
            row[1] += 1
            if got != "passed":
                print(f"  NOT ACCEPTED [{category}] {qid}: {got[:300]}")
        else:
            row[2] += got != "passed"
            row[3] += 1
            if got == "passed":
                print(f"  WRONG ACCEPTED [{category}] {qid}: {text[:100]}")
    for category, (a, n, r, m) in tally.items():
        print(f"{category:28s} correct accepted {a}/{n}   wrong rejected {r}/{m}")
    print(f"{'all':28s} correct accepted {sum(v[0] for v in tally.values())}/{sum(v[1] for v in tally.values())}"
          f"   wrong rejected {sum(v[2] for v in tally.values())}/{sum(v[3] for v in tally.values())}")


def test_each_accepted_case_costs_under_100_ms():
    """Reading and evaluating every element on every trial (best of three: the machine is shared)."""
    import time

    import numpy as np

    from grader.intake.notation import Answer, equations
    from tests.test_written import ASG, Q
    worst = 0.0
    for _category, qid, expect, text in CASES:
        if expect != OK:
            continue
        q = Q[qid]
        trials = q.generate(np.random.default_rng(0), ASG.n_random)
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            a = Answer(equations(text), q.spec)
            for t in range(len(trials)):
                a.values(dict(zip(q.params, trials.call_args(t))))
            best = min(best, time.perf_counter() - t0)
        worst = max(worst, best)
    assert worst < 0.1, worst


if __name__ == "__main__":
    main()

"""Real operative paragraphs shared by the unit tests, copied from the corpus text layers.

Quoted exactly as the official documents print them (footnote digits removed); tests that
need whole documents read the corpus in place instead.
"""

from __future__ import annotations

A_RES_72_194_OP1 = (
    "Urges Member States that have not yet done so to consider becoming parties to the existing"
    " international conventions and protocols related to counter-terrorism, and requests the "
    "United Nations Office on Drugs and Crime, within its mandate, in close coordination with "
    "the relevant entities of the Counter-Terrorism Implementation Task Force, to continue to "
    "provide technical assistance to Member States for the ratification and legislative "
    "incorporation of those international legal instruments;"
)
A_RES_74_175_OP1 = (
    "Urges Member States that have not yet done so to consider becoming parties to the existing"
    " international conventions and protocols related to counter-terrorism, and requests the "
    "United Nations Office on Drugs and Crime, within its mandate and in close coordination "
    "with the relevant entities of the United Nations Global Counter-Terrorism Coordination "
    "Compact, to continue to provide technical assistance to Member States, upon request, for "
    "the ratification and legislative incorporation of those international legal instruments;"
)
A_RES_74_175_OP30 = (
    "Also requests the Secretary-General to submit to the General Assembly at its seventy-fifth"
    " session a report on the implementation of the present resolution."
)
A_RES_78_226_OP36 = (
    "Also requests the Secretary-General to submit to the General Assembly at its "
    "seventy-eighth session a report on the implementation of the present resolution."
)

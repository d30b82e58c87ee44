// IEEE half-precision (numpy's float16) values written from doubles, rounded as numpy rounds
// them.
#pragma once

#include <cstdint>
#include <string>

namespace maparray::cli {

// The bits of the float16 nearest to `value` (ties to even), as numpy's astype(float16) gives
// them: values beyond the largest finite float16 become infinities, tiny ones subnormals or
// zero, NaN a quiet NaN of the same sign. Never throws.
std::uint16_t float16_bits(double value) noexcept;

// The shortest decimal text that reads back as the float16 nearest to `value` ("0.1" for the
// float16 0.0999755859375), as numpy prints float16 scalars; "nan", "inf", "-inf". Never
// throws except std::bad_alloc.
std::string float16_text(double value);

}  // namespace maparray::cli

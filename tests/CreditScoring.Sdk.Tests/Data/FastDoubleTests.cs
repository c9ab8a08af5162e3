using System.Globalization;
using CreditScoring.Sdk.Data;
using FsCheck;
using FsCheck.Fluent;

namespace CreditScoring.Sdk.Tests.Data;

public class FastDoubleTests
{
    private static void SameAsDouble(string text)
    {
        var expectedOk = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var expected);
        var ok = FastDouble.TryParse(text, out var actual);
        Assert.True(expectedOk == ok, $"'{text}': TryParse {expectedOk}, FastDouble {ok}");
        if (ok)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"'{text}': {expected:R} vs {actual:R}");
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("+1")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("")]
    [InlineData("7.96E-05")]
    [InlineData("1e22")]
    [InlineData("1e23")]
    [InlineData("1e-22")]
    [InlineData("123456789012345")]
    [InlineData("1234567890123456")]
    [InlineData("0.766126609")]
    [InlineData("000000000000000000000012.5")]
    [InlineData("1.50000000000000000000")]
    [InlineData("0.1")]
    [InlineData("9007199254740993")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("1e-00001")]
    [InlineData(" 12 ")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1,5")]
    [InlineData("0x1F")]
    [InlineData("12a")]
    [InlineData("1.2.3")]
    [InlineData("--1")]
    public void TryParse_EqualsDoubleTryParse(string text) => SameAsDouble(text);

    [Fact]
    public void TryParse_RandomNumbersInManyForms_EqualsDoubleTryParse()
    {
        string[] formats = ["R", "G17", "G9", "F0", "F2", "F6", "E3", "E10", "0.###############", "0.0000000000"];
        var gen = Gen.Zip(Gen.Zip(Gen.Choose(-1_000_000, 1_000_000), Gen.Choose(-30, 30)), Gen.Zip(Gen.Elements(formats), Gen.Choose(0, 3)));
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var ((mantissa, exponent), (format, decoration)) = t;
            var value = mantissa * Math.Pow(10, exponent) / 7.0;
            var text = value.ToString(format, CultureInfo.InvariantCulture);
            text = decoration switch
            {
                1 => "00" + text.TrimStart('-'),
                2 => value >= 0 ? "+" + text : text,
                3 => text + "0",
                _ => text,
            };
            SameAsDouble(text);
            return true;
        }).QuickCheckThrowOnFailure();
    }
}

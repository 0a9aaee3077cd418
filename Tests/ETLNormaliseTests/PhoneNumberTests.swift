import ETLNormalise
import Testing

@Suite struct PhoneNumberTests {
    @Test(
        arguments: [
            ("13812345678", "13812345678", PhoneNumber.Kind.mobile),
            ("138 1234 5678", "13812345678", .mobile),
            ("138-1234-5678", "13812345678", .mobile),
            ("+86-13812345678", "13812345678", .mobile),
            ("+86 138 1234 5678", "13812345678", .mobile),
            ("0086 13812345678", "13812345678", .mobile),
            ("8613812345678", "13812345678", .mobile),
            ("１３８１２３４５６７８", "13812345678", .mobile),
            ("028-85551234", "02885551234", .landline),
            ("(028) 8555 1234", "02885551234", .landline),
            ("010-62345678", "01062345678", .landline),
            ("0831-2345678", "08312345678", .landline),
            ("85551234", "85551234", .localLandline),
            ("+86 28 8555 1234", "02885551234", .landline),
            ("0086-10-62345678", "01062345678", .landline),
            ("1381234567", "1381234567", .invalid),  // 10 digits
            ("12812345678", "12812345678", .invalid),  // no mobile starts with 12
            ("138123456789", "138123456789", .invalid),
            ("13812345678 ext", "13812345678", .invalid),
            ("", "", .invalid),
        ] as [(String, String, PhoneNumber.Kind)])
    func standardisesAndClassifies(text: String, standard: String, kind: PhoneNumber.Kind) {
        let phone = PhoneNumber(text)
        #expect(phone.original == text)
        #expect(phone.standard == standard)
        #expect(phone.kind == kind)
    }
}

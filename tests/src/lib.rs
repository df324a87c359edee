//! Integration, contract and UI tests of the s4e workspace live beside this file.
